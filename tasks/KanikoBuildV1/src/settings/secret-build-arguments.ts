// Build arguments whose values are secrets. kaniko takes the value of a `--build-arg=NAME` without
// `=VALUE` from its environment variable NAME (resolveEnvironmentBuildArgs in osscontainertools/kaniko
// cmd/executor/cmd/root.go), so the values reach kaniko from a Secret through `secretKeyRef` and
// appear in neither the pod's arguments nor its spec.
import { loc } from '../messages';
import type { Problems } from './problems';
import type { SecretVariable } from './raw';
import type { BuildArgument, SecretBuildArgument } from './types';

/** The names that Dockerfile `ARG` instructions and kaniko's `--build-arg` accept here. */
export const BUILD_ARGUMENT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Environment variables that kaniko, its credential helpers or Go's TLS read in the executor
 * (osscontainertools/kaniko v1.28.3 cmd/executor and pkg/config; the acr-env, ecr-login and gcr helpers;
 * crypto/x509). A secret build argument of that name would change how kaniko itself runs.
 */
const RESERVED_NAMES = new Set([
  'PATH', 'HOME', 'BUILDER_OUTPUT', 'SSL_CERT_FILE', 'SSL_CERT_DIR',
  'AZURE_STORAGE_ACCESS_KEY', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET', 'AZURE_TENANT_ID', 'AZURE_FEDERATED_TOKEN_FILE',
  'AZURE_AUTHORITY_HOST', 'AZURE_ENVIRONMENT',
  'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_ROLE_ARN',
  'GOOGLE_APPLICATION_CREDENTIALS',
]);
/** Prefixes of kaniko's own settings (KANIKO_DIR, KANIKO_NO_PUSH, FF_KANIKO_* feature flags) and of the Docker config's location. */
const RESERVED_PREFIXES = ['KANIKO_', 'FF_KANIKO_', 'DOCKER_'];
/** An agent macro that was left as written because no variable of that name exists. */
const UNEXPANDED_MACRO = /\$\([A-Za-z0-9_.-]+\)/;
/**
 * Secret variables with shorter values are not looked for in build argument values, because a
 * value such as `1` or `abc` would match by chance.
 */
const MIN_DETECTED_SECRET_LENGTH = 4;

/** One line of the secretBuildArguments input: `NAME` (value from the pipeline variable NAME) or `NAME=VALUE`. */
export interface SecretBuildArgumentLine {
  name: string;
  /** The value after `=`; undefined for a line that names a pipeline variable. */
  value?: string;
}

/** Splits the secretBuildArguments input into its lines, without blank and `#` comment lines. */
export function splitSecretBuildArgumentLines(input: string): SecretBuildArgumentLine[] {
  const lines: SecretBuildArgumentLine[] = [];
  for (const text of input.split(/\r?\n/)) {
    const line = text.trim();
    if (!line || line.startsWith('#')) continue;
    const separator = line.indexOf('=');
    lines.push(separator < 0 ? { name: line } : { name: line.slice(0, separator).trim(), value: line.slice(separator + 1) });
  }
  return lines;
}

export interface SecretBuildArgumentInputs {
  /** The secretBuildArguments input. */
  input: string;
  /** Values of the pipeline variables that `NAME` lines name. */
  variables: Record<string, string>;
  /** The plain build arguments, which must not name the same ARG. */
  buildArguments: BuildArgument[];
}

/** Parses the secretBuildArguments input. Messages name the build arguments and never show a value. */
export function parseSecretBuildArguments(inputs: SecretBuildArgumentInputs, problems: Problems): SecretBuildArgument[] | undefined {
  const start = problems.count;
  const plainNames = new Set(inputs.buildArguments.map((argument) => argument.name));
  const parsed: SecretBuildArgument[] = [];
  for (const { name, value: written } of splitSecretBuildArgumentLines(inputs.input)) {
    if (!BUILD_ARGUMENT_NAME.test(name)) {
      problems.add(loc('SecretBuildArgumentInvalid', name || loc('EmptyName')));
      continue;
    }
    const value = written ?? inputs.variables[name];
    if (!checkName(name, parsed, plainNames, problems)) continue;
    if (value === undefined) {
      problems.add(loc('SecretBuildArgumentVariableMissing', name, name));
    } else if (value === '') {
      problems.add(loc('SecretBuildArgumentEmpty', name));
    } else if (written !== undefined && UNEXPANDED_MACRO.test(value)) {
      problems.add(loc('SecretBuildArgumentMacro', name, UNEXPANDED_MACRO.exec(value)![0]));
    } else {
      parsed.push({ name, value });
    }
  }
  return problems.count > start ? undefined : parsed;
}

function checkName(name: string, earlier: SecretBuildArgument[], plainNames: Set<string>, problems: Problems): boolean {
  if (RESERVED_NAMES.has(name) || RESERVED_PREFIXES.some((prefix) => name.startsWith(prefix))) {
    problems.add(loc('SecretBuildArgumentReserved', name));
    return false;
  }
  if (plainNames.has(name)) {
    problems.add(loc('SecretBuildArgumentInBoth', name));
    // Reported once, also when secretBuildArguments repeats the name.
    plainNames.delete(name);
    return false;
  }
  if (earlier.some((argument) => argument.name === name)) {
    problems.add(loc('SecretBuildArgumentDuplicate', name));
    return false;
  }
  return true;
}

/**
 * Adds a problem for each plain build argument whose value contains the value of a secret
 * pipeline variable: kaniko's arguments are part of the pod spec, which anyone who may get pods reads.
 */
export function checkBuildArgumentsForSecrets(
  buildArguments: BuildArgument[], secretVariables: SecretVariable[], problems: Problems,
): void {
  const secrets = secretVariables.filter((variable) => variable.value.length >= MIN_DETECTED_SECRET_LENGTH);
  for (const argument of buildArguments) {
    const secret = secrets.find((variable) => argument.value.includes(variable.value));
    if (secret) problems.add(loc('BuildArgumentHasSecret', argument.name, secret.name, argument.name));
  }
}

/**
 * Adds a problem when an input's text contains the value of a secret pipeline variable: kaniko's
 * arguments are part of the pod spec, and labels are part of the pushed image.
 */
export function checkInputForSecrets(input: string, text: string, secretVariables: SecretVariable[], problems: Problems): void {
  const secret = secretVariables.find((variable) => variable.value.length >= MIN_DETECTED_SECRET_LENGTH && text.includes(variable.value));
  if (secret) problems.add(loc('InputHasSecret', input, secret.name));
}
