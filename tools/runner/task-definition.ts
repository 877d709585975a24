// Reads the parts of a task.json that the agent uses to run a task: the Node handler of each
// stage, the inputs with their aliases and defaults, and the command restrictions.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TaskStage } from './types';

export interface InputDefinition {
  name: string;
  aliases: string[];
  /** Input type, such as `string`, `filePath` or `connectedService:kubernetes`. */
  type: string;
  defaultValue?: string;
}

export interface HandlerDefinition {
  target: string;
  workingDirectory?: string;
}

export interface TaskRestrictions {
  /** `restricted` allows only the commands the agent marks as allowed in restricted mode. */
  commandMode: 'any' | 'restricted';
  /** Variable name patterns `task.setvariable` may set; undefined allows every name. */
  settableVariables?: string[];
}

export interface TaskDefinition {
  name: string;
  /** The display name pattern of a step, such as `Build $(repository) with kaniko`; empty when task.json has none. */
  instanceNameFormat: string;
  inputs: InputDefinition[];
  /** Handlers by stage and handler name, such as `main` → `Node20_1`. */
  handlers: Record<TaskStage, Record<string, HandlerDefinition>>;
  restrictions: TaskRestrictions;
}

export interface SelectedHandler {
  name: string;
  /** Absolute path of the script that node runs. */
  target: string;
  workingDirectory?: string;
}

const STAGE_KEYS: Record<TaskStage, string> = {
  pre: 'prejobexecution',
  main: 'execution',
  post: 'postjobexecution',
};

/** Reads and checks `taskDir/task.json`. */
export function readTaskDefinition(taskDir: string): TaskDefinition {
  const file = join(taskDir, 'task.json');
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`Cannot read the task definition ${file}: ${(error as Error).message}`, { cause: error });
  }
  const inputs = Array.isArray(json.inputs) ? (json.inputs as Array<Record<string, unknown>>) : [];
  return {
    name: typeof json.name === 'string' ? json.name : 'task',
    instanceNameFormat: typeof json.instanceNameFormat === 'string' ? json.instanceNameFormat : '',
    inputs: inputs.map((input) => readInput(input, file)),
    handlers: {
      pre: readHandlers(json[STAGE_KEYS.pre]),
      main: readHandlers(json[STAGE_KEYS.main]),
      post: readHandlers(json[STAGE_KEYS.post]),
    },
    restrictions: readRestrictions(json.restrictions),
  };
}

function readInput(input: Record<string, unknown>, file: string): InputDefinition {
  if (typeof input.name !== 'string' || input.name.trim() === '') {
    throw new Error(`An input in ${file} has no name.`);
  }
  const aliases = Array.isArray(input.aliases) ? input.aliases.filter((a): a is string => typeof a === 'string') : [];
  return {
    name: input.name.trim(),
    aliases,
    type: typeof input.type === 'string' ? input.type : 'string',
    defaultValue: input.defaultValue === undefined ? undefined : String(input.defaultValue),
  };
}

function readHandlers(value: unknown): Record<string, HandlerDefinition> {
  const handlers: Record<string, HandlerDefinition> = {};
  if (typeof value !== 'object' || value === null) return handlers;
  for (const [name, data] of Object.entries(value as Record<string, Record<string, unknown>>)) {
    if (typeof data?.target !== 'string') continue;
    handlers[name] = {
      target: data.target,
      workingDirectory: typeof data.workingDirectory === 'string' ? data.workingDirectory : undefined,
    };
  }
  return handlers;
}

function readRestrictions(value: unknown): TaskRestrictions {
  const restrictions = (value ?? {}) as { commands?: { mode?: string }; settableVariables?: { allowed?: unknown } };
  const allowed = restrictions.settableVariables?.allowed;
  return {
    commandMode: restrictions.commands?.mode?.toLowerCase() === 'restricted' ? 'restricted' : 'any',
    settableVariables: Array.isArray(allowed) ? allowed.map(String) : undefined,
  };
}

/**
 * Picks the Node handler of a stage for a Node.js major version. It is the newest declared Node
 * handler not newer than that version, such as `Node24` on Node 24 and `Node20_1` on Node 20.
 * When every declared handler is newer, it is the oldest of them.
 */
export function selectNodeHandler(
  definition: TaskDefinition,
  stage: TaskStage,
  taskDir: string,
  nodeMajorVersion: number,
): SelectedHandler {
  const declared = definition.handlers[stage];
  const candidates = NODE_HANDLERS.filter((handler) => declared[handler.name] !== undefined);
  if (candidates.length === 0) {
    const names = Object.keys(declared).join(', ') || 'none';
    throw new Error(`task.json declares no Node handler under "${STAGE_KEYS[stage]}" (found: ${names}).`);
  }
  const chosen = candidates.find((handler) => handler.major <= nodeMajorVersion) ?? candidates[candidates.length - 1];
  const data = declared[chosen.name];
  const target = resolve(taskDir, data.target);
  if (!existsSync(target)) {
    throw new Error(`The ${chosen.name} handler's target ${target} does not exist. Run \`npm run build\` first.`);
  }
  return { name: chosen.name, target, workingDirectory: data.workingDirectory };
}

// Newest first. `major` is the Node.js major version each handler runs on.
const NODE_HANDLERS = [
  { name: 'Node24', major: 24 },
  { name: 'Node20_1', major: 20 },
  { name: 'Node16', major: 16 },
  { name: 'Node10', major: 10 },
  { name: 'Node', major: 6 },
];
