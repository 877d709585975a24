// The stages of a Dockerfile and the images a build pulls, read the way kaniko plans a build.
// ARGs before the first FROM and build arguments expand in FROM lines. kaniko builds the target
// stage and the stages it depends on: osscontainertools/kaniko skips the other stages by default
// from v1.27.0, and earlier releases with --skip-unused-stages. Without that flag, earlier
// releases build every stage up to the target.
import { DockerfileParser, type Dockerfile, type Instruction } from 'dockerfile-ast';
import type { BuildArgument } from './types';

/** An image that the build pulls, with the Dockerfile line (1-based) that names it. */
export interface PulledImage {
  reference: string;
  line: number;
}

export interface DockerfileSummary {
  /** Stage names (`FROM ... AS name`) in lower case, in order; unnamed stages are empty strings. */
  stages: string[];
  /** Images that the target stage and the stages it depends on pull, in Dockerfile order. */
  pulledImages: PulledImage[];
  /** Image references with a variable that no ARG or build argument sets; kaniko cannot pull them either. */
  unresolvedImages: PulledImage[];
}

interface StageSource {
  /** The FROM line's image or stage name after ARG expansion. */
  base: string;
  baseLine: number;
  /** Values of `COPY --from`, each a stage name, stage index or image. */
  fromReferences: PulledImage[];
}

export interface SummaryOptions {
  /** Set when kaniko builds every stage up to the target, as releases before osscontainertools v1.27.0 do without --skip-unused-stages. */
  buildsUnusedStages?: boolean;
}

/** Reads the stages and the pulled images of a Dockerfile; `target` must name a stage when given. */
export function summarizeDockerfile(
  text: string, buildArguments: BuildArgument[], target?: string, options: SummaryOptions = {},
): DockerfileSummary {
  const dockerfile = DockerfileParser.parse(text);
  const metaArgs = metaArgValues(dockerfile, buildArguments);
  const stages: string[] = [];
  const sources: StageSource[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword();
    if (keyword === 'FROM') {
      const from = dockerfile.getFROMs().find((candidate) => candidate.getRange().start.line === instruction.getRange().start.line);
      stages.push(from?.getBuildStage()?.toLowerCase() ?? '');
      sources.push({ base: expandVariables(from?.getImage() ?? '', metaArgs), baseLine: lineOf(instruction), fromReferences: [] });
    } else if (sources.length > 0) {
      sources[sources.length - 1].fromReferences.push(...fromFlagValues(instruction));
    }
  }

  const finalIndex = target ? stages.indexOf(target.toLowerCase()) : stages.length - 1;
  const pulled: PulledImage[] = [];
  const built = options.buildsUnusedStages
    ? sources.slice(0, finalIndex + 1).map((_source, index) => index)
    : neededStages(stages, sources, finalIndex);
  for (const index of built) {
    const source = sources[index];
    if (stageIndex(stages, source.base, index) === -1) pulled.push({ reference: source.base, line: source.baseLine });
    for (const reference of source.fromReferences) {
      if (stageIndex(stages, reference.reference, index) === -1) pulled.push(reference);
    }
  }
  const images = pulled.filter((image) => image.reference.toLowerCase() !== 'scratch');
  return {
    stages,
    pulledImages: images.filter((image) => !isUnresolved(image.reference)),
    unresolvedImages: images.filter((image) => isUnresolved(image.reference)),
  };
}

/**
 * The automatic platform ARGs, which FROM lines may use without declaring them (Docker docs,
 * "Automatic platform ARGs in the global scope"). The values are those of an amd64 node; only the
 * registry host of a reference matters here, and no host depends on them.
 */
const PLATFORM_ARGS: [string, string][] = [
  ['TARGETPLATFORM', 'linux/amd64'], ['TARGETOS', 'linux'], ['TARGETARCH', 'amd64'], ['TARGETVARIANT', ''],
  ['BUILDPLATFORM', 'linux/amd64'], ['BUILDOS', 'linux'], ['BUILDARCH', 'amd64'], ['BUILDVARIANT', ''],
];

/**
 * Returns the values that kaniko expands FROM lines with (unifyArgs in osscontainertools/kaniko
 * pkg/dockerfile/dockerfile.go): the defaults of the ARGs before the first FROM, as written, then
 * every build argument with a non-empty value, declared or not. kaniko splits a build argument at
 * each `=` and keeps the second part, so a value is cut at its first `=`.
 */
function metaArgValues(dockerfile: Dockerfile, buildArguments: BuildArgument[]): Map<string, string> {
  const values = new Map<string, string>(PLATFORM_ARGS);
  for (const arg of dockerfile.getInitialARGs()) {
    for (const property of arg.getProperties()) {
      const fallback = property.getValue();
      if (fallback !== null) values.set(property.getName(), fallback);
    }
  }
  for (const { name, value } of buildArguments) {
    const firstPart = value.split('=')[0];
    if (firstPart !== '') values.set(name, firstPart);
  }
  return values;
}

/**
 * Returns the value of `COPY --from=X`. kaniko pulls such a value as written when it names no
 * earlier stage, without expanding variables (fetchExtraStages in osscontainertools/kaniko
 * pkg/executor/build.go), so a value with `$` names no image that can be checked here.
 */
function fromFlagValues(instruction: Instruction): PulledImage[] {
  if (instruction.getKeyword() !== 'COPY') return [];
  const flags = (instruction as Instruction & { getFlags(): FlagLike[] }).getFlags();
  return flags
    .filter((flag) => flag.getName() === 'from')
    .map((flag) => flag.getValue() ?? '')
    .filter((value) => value !== '' && !value.includes('$'))
    .map((reference) => ({ reference, line: lineOf(instruction) }));
}

interface FlagLike {
  getName(): string;
  getValue(): string | null;
}

/** Returns the indexes of the stage `finalIndex` and of every stage it builds on or copies from. */
function neededStages(stages: string[], sources: StageSource[], finalIndex: number): number[] {
  const needed = new Set<number>();
  const visit = (index: number): void => {
    if (index < 0 || needed.has(index)) return;
    needed.add(index);
    visit(stageIndex(stages, sources[index].base, index));
    for (const reference of sources[index].fromReferences) visit(stageIndex(stages, reference.reference, index));
  };
  visit(finalIndex);
  return [...needed].sort((left, right) => left - right);
}

/** Returns the index of the earlier stage that `name` refers to (by name, or by number for `--from`), or -1. */
function stageIndex(stages: string[], name: string, before: number): number {
  if (/^\d+$/.test(name)) return Number(name) < before ? Number(name) : -1;
  const lower = name.toLowerCase();
  return stages.findIndex((stage, index) => index < before && stage !== '' && stage === lower);
}

/**
 * Expands `$NAME`, `${NAME}`, `${NAME:-word}`, `${NAME-word}`, `${NAME:+word}` and `${NAME+word}` as
 * the Dockerfile shell lexer does; the word may hold variables too. An unset variable without a
 * default is left as written, so that the caller can tell it apart.
 */
export function expandVariables(text: string, values: ReadonlyMap<string, string>): string {
  let result = '';
  let position = 0;
  while (position < text.length) {
    const character = text[position];
    if (character === '\\' && text[position + 1] === '$') {
      result += '$';
      position += 2;
    } else if (character === '$' && text[position + 1] === '{') {
      const close = matchingBrace(text, position + 1);
      const expression = close === -1 ? undefined : /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-+])([\s\S]*))?$/.exec(text.slice(position + 2, close));
      if (!expression) {
        result += text.slice(position);
        break;
      }
      result += expandExpression(text.slice(position, close + 1), expression, values);
      position = close + 1;
    } else if (character === '$' && /[A-Za-z_]/.test(text[position + 1] ?? '')) {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(position + 1))![0];
      result += values.get(name) ?? `$${name}`;
      position += name.length + 1;
    } else {
      result += character;
      position += 1;
    }
  }
  return result;
}

function expandExpression(written: string, expression: RegExpExecArray, values: ReadonlyMap<string, string>): string {
  const [, name, colon, operator, word] = expression;
  const value = values.get(name);
  const isSet = colon ? value !== undefined && value !== '' : value !== undefined;
  if (operator === '-') return isSet ? value! : expandVariables(word, values);
  if (operator === '+') return isSet ? expandVariables(word, values) : '';
  return value ?? written;
}

/** Returns the index of the `}` that closes the `{` at `open`, or -1. */
function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let index = open; index < text.length; index++) {
    if (text[index] === '{') depth++;
    if (text[index] === '}' && --depth === 0) return index;
  }
  return -1;
}

function isUnresolved(reference: string): boolean {
  return reference === '' || reference.includes('$');
}

function lineOf(instruction: Instruction): number {
  return instruction.getRange().start.line + 1;
}
