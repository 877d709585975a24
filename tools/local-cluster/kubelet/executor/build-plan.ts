// Plans the emulated build the way kaniko's MakeKanikoStages and CalculateDependencies do
// (osscontainertools/kaniko pkg/dockerfile/dockerfile.go, pkg/executor/build.go): resolves
// build arguments and base images, picks the target stage and the stages it depends on.
import { flagValue, splitCopyArguments, type Dockerfile, type Stage } from './dockerfile';
import { expandVariables, parseKeyValues } from './shell';

export interface PlannedStage {
  index: number;
  stage: Stage;
  /** Base image after ARG substitution, or the name of an earlier stage. */
  baseName: string;
  /** Index of the earlier stage this one builds on, or -1. */
  baseIndex: number;
}

export interface BuildPlan {
  /** Stages to build, in order; the last one is the image to push. */
  stages: PlannedStage[];
  /** Values of `--build-arg`, with bare names taken from the environment. */
  buildArgs: Map<string, string>;
  /** Values of the ARGs declared before the first FROM. */
  metaArgs: Map<string, string>;
  /** Files that later stages copy from earlier ones, keyed by the earlier stage's index. */
  crossStageDependencies: Map<number, string[]>;
}

export interface PlanOptions {
  buildArgs: string[];
  targets: string[];
  /** Whether stages the target does not need are skipped. */
  skipUnusedStages: boolean;
  env: Readonly<Record<string, string>>;
}

/** Plans the build; throws with kaniko's message (without `error building image: `). */
export function planBuild(dockerfile: Dockerfile, options: PlanOptions): BuildPlan {
  if (dockerfile.stages.length === 0) throw new Error('dockerfile must contain at least one FROM instruction');
  const buildArgs = resolveBuildArgs(options.buildArgs, options.env);
  const metaArgs = resolveMetaArgs(dockerfile, buildArgs);
  const targets = targetIndexes(dockerfile.stages, options.targets);
  const finalIndex = Math.max(...targets);

  const planned = dockerfile.stages.slice(0, finalIndex + 1).map((stage, index): PlannedStage => {
    const baseName = expandVariables(stage.baseName, metaArgs);
    const baseIndex = dockerfile.stages.findIndex((earlier, earlierIndex) =>
      earlierIndex < index && earlier.name !== '' && earlier.name === baseName.toLowerCase());
    return { index, stage, baseName, baseIndex };
  });

  const needed = options.skipUnusedStages ? neededStages(planned, targets) : new Set(planned.map((s) => s.index));
  return {
    stages: planned.filter((stage) => needed.has(stage.index)),
    buildArgs,
    metaArgs,
    crossStageDependencies: crossStageDependencies(planned, needed),
  };
}

/** Resolves `--build-arg` values; a bare `NAME` takes its value from the environment. */
export function resolveBuildArgs(buildArgs: string[], env: Readonly<Record<string, string>>): Map<string, string> {
  const values = new Map<string, string>();
  for (const argument of buildArgs) {
    const equals = argument.indexOf('=');
    if (equals === -1) values.set(argument, env[argument] ?? '');
    else values.set(argument.slice(0, equals), argument.slice(equals + 1));
  }
  return values;
}

/**
 * Returns the values FROM lines expand with, as kaniko's unifyArgs does: the ARG defaults before
 * the first FROM as written, then every build argument whose value is not empty, declared or
 * not. kaniko splits `NAME=VALUE` at each `=` and keeps the second part.
 */
function resolveMetaArgs(dockerfile: Dockerfile, buildArgs: Map<string, string>): Map<string, string> {
  const values = new Map<string, string>();
  for (const instruction of dockerfile.metaArgs) {
    for (const { key, value } of parseKeyValues(instruction.rest, false)) {
      if (value !== undefined) values.set(key, value);
    }
  }
  for (const [name, value] of buildArgs) {
    const firstPart = value.split('=')[0];
    if (firstPart !== '') values.set(name, firstPart);
  }
  return values;
}

function targetIndexes(stages: Stage[], targets: string[]): number[] {
  if (targets.length === 0) return [stages.length - 1];
  return targets.map((target) => {
    const index = stages.findIndex((stage) => stage.name !== '' && stage.name === target.toLowerCase());
    if (index === -1) throw new Error(`error finding target stage: "${target}" is not a valid target build stage`);
    return index;
  });
}

/** Returns the index of the stage that a `--from` value names, or -1 for an image. */
function stageIndexOf(planned: PlannedStage[], from: string, before: number): number {
  if (/^\d+$/.test(from)) return Number(from) < before ? Number(from) : -1;
  return planned.findIndex((stage) => stage.index < before && stage.stage.name === from.toLowerCase());
}

function neededStages(planned: PlannedStage[], targets: number[]): Set<number> {
  const needed = new Set<number>();
  const visit = (index: number): void => {
    if (needed.has(index)) return;
    needed.add(index);
    const stage = planned[index];
    if (stage.baseIndex !== -1) visit(stage.baseIndex);
    for (const instruction of stage.stage.instructions) {
      const from = flagValue(instruction, 'from');
      const source = from === undefined ? -1 : stageIndexOf(planned, from, index);
      if (source !== -1) visit(source);
    }
  };
  targets.forEach(visit);
  return needed;
}

function crossStageDependencies(planned: PlannedStage[], needed: Set<number>): Map<number, string[]> {
  const dependencies = new Map<number, string[]>();
  for (const stage of planned.filter((candidate) => needed.has(candidate.index))) {
    for (const instruction of stage.stage.instructions) {
      const from = flagValue(instruction, 'from');
      const source = from === undefined ? -1 : stageIndexOf(planned, from, stage.index);
      if (source === -1 || instruction.keyword !== 'COPY') continue;
      const paths = splitCopyArguments(instruction.rest).slice(0, -1).map((path) => (path.startsWith('/') ? path : `/${path}`));
      dependencies.set(source, [...(dependencies.get(source) ?? []), ...paths]);
    }
  }
  return dependencies;
}

/** Formats the dependencies as Go prints a map[int][]string. */
export function formatDependencies(dependencies: Map<number, string[]>): string {
  const entries = [...dependencies.entries()].sort(([left], [right]) => left - right);
  return `map[${entries.map(([index, paths]) => `${index}:[${paths.join(' ')}]`).join(' ')}]`;
}
