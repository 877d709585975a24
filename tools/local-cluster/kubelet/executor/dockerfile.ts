// A Dockerfile parser with the subset of BuildKit's rules (moby/buildkit
// frontend/dockerfile/parser and instructions) that the executor emulation needs. It reads
// parser directives, line continuations, comments, stages and their instructions. Errors
// carry BuildKit's messages, which kaniko prints.
// NOTE: heredocs (`RUN <<EOF`) are not parsed; their lines read as separate instructions.

const KEYWORDS = [
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL',
  'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
];
const VALID_STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;

export interface Instruction {
  /** Upper-case keyword, such as `COPY`. */
  keyword: string;
  /** Leading `--name=value` flags, such as `--from=build`. */
  flags: string[];
  /** The text after the keyword and its flags. */
  rest: string;
  /** The instruction as written, continuation lines joined; kaniko logs this text. */
  code: string;
  line: number;
}

export interface Stage {
  /** Base image or earlier stage name, before ARG substitution. */
  baseName: string;
  /** Lower-case stage name from `AS name`, or empty. */
  name: string;
  instructions: Instruction[];
  line: number;
}

export interface Dockerfile {
  /** ARG instructions before the first FROM. */
  metaArgs: Instruction[];
  stages: Stage[];
}

/** Parses a Dockerfile; throws an Error with BuildKit's message when it is invalid. */
export function parseDockerfile(text: string): Dockerfile {
  const instructions = splitInstructions(text);
  if (instructions.length === 0) throw new Error('file with no instructions');

  const dockerfile: Dockerfile = { metaArgs: [], stages: [] };
  for (const instruction of instructions) {
    if (!KEYWORDS.includes(instruction.keyword)) {
      const written = instruction.code.split(/\s/)[0];
      throw new Error(`dockerfile parse error on line ${instruction.line}: unknown instruction: ${written}`);
    }
    checkArguments(instruction);
    if (instruction.keyword === 'FROM') {
      dockerfile.stages.push(parseFrom(instruction));
    } else if (dockerfile.stages.length === 0) {
      if (instruction.keyword !== 'ARG') throw new Error('no build stage in current context');
      dockerfile.metaArgs.push(instruction);
    } else {
      dockerfile.stages[dockerfile.stages.length - 1].instructions.push(instruction);
    }
  }
  return dockerfile;
}

function parseFrom(instruction: Instruction): Stage {
  const words = instruction.rest.split(/\s+/).filter((word) => word !== '');
  let name = '';
  if (words.length === 3 && words[1].toLowerCase() === 'as') {
    name = words[2].toLowerCase();
    if (!VALID_STAGE_NAME.test(name)) {
      throw lineError(instruction, `invalid name for build stage: "${words[2]}", name can't start with a number or contain symbols`);
    }
  } else if (words.length !== 1) {
    throw lineError(instruction, 'FROM requires either one or three arguments');
  }
  return { baseName: words[0], name, instructions: [], line: instruction.line };
}

function checkArguments(instruction: Instruction): void {
  const empty = instruction.rest.trim() === '';
  const { keyword } = instruction;
  if (empty && keyword !== 'CMD' && keyword !== 'ENTRYPOINT') {
    throw lineError(instruction, `${keyword} requires at least one argument`);
  }
  if ((keyword === 'COPY' || keyword === 'ADD') && splitCopyArguments(instruction.rest).length < 2) {
    throw lineError(
      instruction,
      `${keyword} requires at least two arguments, but only one was provided. Destination could not be determined`,
    );
  }
}

function lineError(instruction: Instruction, message: string): Error {
  return new Error(`dockerfile parse error on line ${instruction.line}: ${message}`);
}

/** Splits COPY or ADD arguments: a JSON array, or words separated by white space. */
export function splitCopyArguments(rest: string): string[] {
  const trimmed = rest.trim();
  if (trimmed.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (Array.isArray(parsed) && parsed.every((item) => typeof item === 'string')) return parsed;
    } catch {
      // Not valid JSON: BuildKit then reads the text as the shell form.
    }
  }
  return trimmed.split(/\s+/).filter((word) => word !== '');
}

/** Splits the text into instructions, joining continuation lines and dropping comments. */
function splitInstructions(text: string): Instruction[] {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const escape = readEscapeDirective(lines);
  const instructions: Instruction[] = [];
  let pending: { code: string; line: number } | undefined;
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index];
    const trimmed = line.trim();
    if (trimmed.startsWith('#') || (trimmed === '' && pending === undefined)) continue;
    if (trimmed === '' && pending) continue;
    const continues = line.trimEnd().endsWith(escape);
    const content = continues ? line.trimEnd().slice(0, -1) : line;
    pending = pending ? { ...pending, code: pending.code + content } : { code: content.trimStart(), line: index + 1 };
    if (!continues) {
      instructions.push(toInstruction(pending.code.trim(), pending.line));
      pending = undefined;
    }
  }
  if (pending && pending.code.trim() !== '') instructions.push(toInstruction(pending.code.trim(), pending.line));
  return instructions;
}

/** Reads a `# escape=` parser directive from the top of the file; the default is a backslash. */
function readEscapeDirective(lines: string[]): string {
  for (const line of lines) {
    const match = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/.exec(line.trim());
    if (!match) break;
    if (match[1].toLowerCase() === 'escape' && (match[2] === '`' || match[2] === '\\')) return match[2];
  }
  return '\\';
}

function toInstruction(code: string, line: number): Instruction {
  const match = /^(\S+)\s*([\s\S]*)$/.exec(code);
  const keyword = (match?.[1] ?? '').toUpperCase();
  let rest = match?.[2] ?? '';
  const flags: string[] = [];
  for (let flag = /^--\S+\s*/.exec(rest); flag; flag = /^--\S+\s*/.exec(rest)) {
    flags.push(flag[0].trim());
    rest = rest.slice(flag[0].length);
  }
  return { keyword, flags, rest, code, line };
}

/** Returns the value of a `--name=value` flag of an instruction, if set. */
export function flagValue(instruction: Instruction, name: string): string | undefined {
  const prefix = `--${name}=`;
  const flag = instruction.flags.find((candidate) => candidate.startsWith(prefix));
  return flag?.slice(prefix.length);
}
