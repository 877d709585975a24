// The Dockerfile, build context, build arguments (plain and secret) and target stage.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loc } from '../messages';
import { summarizeDockerfile, type DockerfileSummary } from './dockerfile';
import type { Problems } from './problems';
import type { SecretVariable } from './raw';
import { BUILD_ARGUMENT_NAME, checkBuildArgumentsForSecrets, parseSecretBuildArguments } from './secret-build-arguments';
import type { BuildArgument, BuildSettings } from './types';

const STAGE_NAME = /^[a-zA-Z][a-zA-Z0-9_.-]*$/;
const GLOB_CHARACTERS = /[*?[\]{}]/;
const LISTED_MATCHES = 5;

export interface BuildInputs {
  dockerfile: string;
  buildContext: string;
  buildArguments: string;
  secretBuildArguments: string;
  target: string;
  /** Values of the pipeline variables that the `NAME` lines of secretBuildArguments name. */
  secretBuildArgumentVariables: Record<string, string>;
  /** The job's secret pipeline variables, which must not appear in plain build arguments. */
  secretVariables: SecretVariable[];
  /** Set when kaniko builds every stage up to the target, not only those the target needs. */
  buildsUnusedStages: boolean;
  /** The folder that relative paths and patterns start from (System.DefaultWorkingDirectory). */
  root: string;
  findFiles(root: string, pattern: string): string[];
}

export function parseBuild(inputs: BuildInputs, problems: Problems): BuildSettings | undefined {
  const buildArguments = parseBuildArguments(inputs.buildArguments, problems);
  if (buildArguments) checkBuildArgumentsForSecrets(buildArguments, inputs.secretVariables, problems);
  const secretBuildArguments = parseSecretBuildArguments({
    input: inputs.secretBuildArguments, variables: inputs.secretBuildArgumentVariables, buildArguments: buildArguments ?? [],
  }, problems);
  const dockerfilePath = findDockerfile(inputs, problems);
  if (!dockerfilePath || !buildArguments || !secretBuildArguments) return undefined;

  const contextDir = inputs.buildContext ? path.resolve(inputs.root, inputs.buildContext) : path.dirname(dockerfilePath);
  if (!isDirectory(contextDir)) {
    problems.add(loc('BuildContextNotFound', inputs.buildContext, contextDir));
    return undefined;
  }
  const dockerfile = path.relative(contextDir, dockerfilePath);
  if (dockerfile === '..' || dockerfile.startsWith(`..${path.sep}`) || path.isAbsolute(dockerfile)) {
    problems.add(loc('DockerfileOutsideContext', dockerfilePath, contextDir));
    return undefined;
  }
  const target = inputs.target || undefined;
  if (target && !STAGE_NAME.test(target)) {
    problems.add(loc('TargetInvalid', target));
    return undefined;
  }
  const displayPath = displayPathOf(dockerfilePath, inputs.root);
  // Secret build arguments expand in FROM lines too.
  const allArguments = [...buildArguments, ...secretBuildArguments];
  const summary = readDockerfile(dockerfilePath, displayPath, allArguments, target, inputs.buildsUnusedStages, problems);
  if (!summary) return undefined;
  return {
    contextDir,
    dockerfile: dockerfile.split(path.sep).join('/'),
    dockerfileDisplayPath: displayPath,
    buildArguments,
    secretBuildArguments,
    target,
    stageCount: summary.stages.length,
    pulledImages: summary.pulledImages,
  };
}

/** Returns the Dockerfile's path relative to the working directory with `/` separators, or the absolute path when it is outside. */
function displayPathOf(dockerfilePath: string, root: string): string {
  const relative = path.relative(root, dockerfilePath);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return dockerfilePath;
  return relative.split(path.sep).join('/');
}

/** Reads the Dockerfile's stages and pulled images, and checks that kaniko could resolve them. */
function readDockerfile(
  dockerfilePath: string, displayPath: string, buildArguments: BuildArgument[], target: string | undefined,
  buildsUnusedStages: boolean, problems: Problems,
): DockerfileSummary | undefined {
  let text: string;
  try {
    text = fs.readFileSync(dockerfilePath, 'utf8');
  } catch (error) {
    problems.add(loc('DockerfileUnreadable', dockerfilePath, (error as Error).message));
    return undefined;
  }
  const summary = summarizeDockerfile(text, buildArguments, target, { buildsUnusedStages });
  if (summary.stages.length === 0) {
    problems.add(loc('DockerfileWithoutFrom', dockerfilePath));
    return undefined;
  }
  // kaniko rejects a target that names no `FROM ... AS NAME` stage before it builds.
  if (target && !summary.stages.includes(target.toLowerCase())) {
    problems.add(loc('TargetNotFound', target, summary.stages.filter(Boolean).join(', ') || '(none)'));
    return undefined;
  }
  for (const image of summary.unresolvedImages) {
    problems.add(loc('DockerfileImageUnresolved', displayPath, image.line, image.reference || '(empty)'));
  }
  return summary.unresolvedImages.length ? undefined : summary;
}

function findDockerfile(inputs: BuildInputs, problems: Problems): string | undefined {
  if (!inputs.dockerfile) {
    problems.add(loc('DockerfileMissing'));
    return undefined;
  }
  const plainPath = path.resolve(inputs.root, inputs.dockerfile);
  if (!GLOB_CHARACTERS.test(inputs.dockerfile) && isDirectory(plainPath)) {
    problems.add(loc('DockerfileIsFolder', plainPath, plainPath));
    return undefined;
  }
  const matches = GLOB_CHARACTERS.test(inputs.dockerfile)
    ? inputs.findFiles(inputs.root, inputs.dockerfile).filter(isFile)
    : [plainPath].filter(isFile);
  if (matches.length === 0) {
    problems.add(loc('DockerfileNotFound', inputs.dockerfile, inputs.root));
    return undefined;
  }
  if (matches.length > 1) {
    const listed = matches.slice(0, LISTED_MATCHES).map((match) => path.relative(inputs.root, match)).join(', ');
    problems.add(loc('DockerfileAmbiguous', inputs.dockerfile, matches.length, listed));
    return undefined;
  }
  return matches[0];
}

function parseBuildArguments(input: string, problems: Problems): BuildArgument[] | undefined {
  const start = problems.count;
  const buildArguments: BuildArgument[] = [];
  for (const line of input.split(/\r?\n/).map((text) => text.trim())) {
    if (!line || line.startsWith('#')) continue;
    const separator = line.indexOf('=');
    const name = separator < 0 ? line : line.slice(0, separator).trim();
    if (separator < 0 || !BUILD_ARGUMENT_NAME.test(name)) {
      problems.add(loc('BuildArgumentInvalid', name));
      continue;
    }
    buildArguments.push({ name, value: line.slice(separator + 1) });
  }
  return problems.count > start ? undefined : buildArguments;
}

function isFile(file: string): boolean {
  return fs.statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
}

function isDirectory(folder: string): boolean {
  return fs.statSync(folder, { throwIfNoEntry: false })?.isDirectory() ?? false;
}
