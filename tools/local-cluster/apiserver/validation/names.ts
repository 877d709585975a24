// Name and key formats from k8s.io/apimachinery/pkg/util/validation (validation.go) of
// Kubernetes 1.34. Each function returns the list of reasons the value is invalid, empty
// when it is valid, with the same wording as the Go functions.

const DNS1123_LABEL_FORMAT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN_FORMAT = `${DNS1123_LABEL_FORMAT}(\\.${DNS1123_LABEL_FORMAT})*`;
const QUALIFIED_NAME_FORMAT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const LABEL_VALUE_FORMAT = `(${QUALIFIED_NAME_FORMAT})?`;
const CONFIG_KEY_FORMAT = '[-._a-zA-Z0-9]+';

const DNS1123_LABEL = new RegExp(`^${DNS1123_LABEL_FORMAT}$`);
const DNS1123_SUBDOMAIN = new RegExp(`^${DNS1123_SUBDOMAIN_FORMAT}$`);
const QUALIFIED_NAME = new RegExp(`^${QUALIFIED_NAME_FORMAT}$`);
const LABEL_VALUE = new RegExp(`^${LABEL_VALUE_FORMAT}$`);
const CONFIG_KEY = new RegExp(`^${CONFIG_KEY_FORMAT}$`);

const QUALIFIED_NAME_MESSAGE =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

export const DNS1123_LABEL_MAX_LENGTH = 63;
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;
export const LABEL_VALUE_MAX_LENGTH = 63;

export function maxLengthMessage(length: number): string {
  return `must be no more than ${length} characters`;
}

/** Go's RegexError: the message, the examples and the pattern. */
export function regexMessage(message: string, format: string, ...examples: string[]): string {
  if (examples.length === 0) return `${message} (regex used for validation is '${format}')`;
  const listed = examples.map((example, i) => (i > 0 ? ' or ' : '') + `'${example}', `).join('');
  return `${message} (e.g. ${listed}regex used for validation is '${format}')`;
}

export function dns1123LabelErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > DNS1123_LABEL_MAX_LENGTH) errors.push(maxLengthMessage(DNS1123_LABEL_MAX_LENGTH));
  if (!DNS1123_LABEL.test(value)) {
    if (DNS1123_SUBDOMAIN.test(value)) {
      errors.push('must not contain dots');
    } else {
      errors.push(
        regexMessage(
          "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
          DNS1123_LABEL_FORMAT,
          'my-name',
          '123-abc',
        ),
      );
    }
  }
  return errors;
}

export function dns1123SubdomainErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > DNS1123_SUBDOMAIN_MAX_LENGTH) errors.push(maxLengthMessage(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!DNS1123_SUBDOMAIN.test(value)) {
    errors.push(
      regexMessage(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
        DNS1123_SUBDOMAIN_FORMAT,
        'example.com',
      ),
    );
  }
  return errors;
}

/** Checks a label key, annotation key or other "qualified name": an optional DNS prefix, `/`, a name. */
export function qualifiedNameErrors(value: string): string[] {
  const errors: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0];
  } else if (parts.length === 2) {
    const prefix = parts[0];
    name = parts[1];
    if (prefix.length === 0) errors.push('prefix part must be non-empty');
    else errors.push(...dns1123SubdomainErrors(prefix).map((message) => `prefix part ${message}`));
  } else {
    return [
      'a qualified name ' +
        regexMessage(QUALIFIED_NAME_MESSAGE, QUALIFIED_NAME_FORMAT, 'MyName', 'my.name', '123-abc') +
        " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) errors.push('name part must be non-empty');
  else if (name.length > 63) errors.push(`name part ${maxLengthMessage(63)}`);
  if (!QUALIFIED_NAME.test(name)) {
    errors.push(`name part ${regexMessage(QUALIFIED_NAME_MESSAGE, QUALIFIED_NAME_FORMAT, 'MyName', 'my.name', '123-abc')}`);
  }
  return errors;
}

export function labelValueErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > LABEL_VALUE_MAX_LENGTH) errors.push(maxLengthMessage(LABEL_VALUE_MAX_LENGTH));
  if (!LABEL_VALUE.test(value)) {
    errors.push(
      regexMessage(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        LABEL_VALUE_FORMAT,
        'MyValue',
        'my_value',
        '12345',
      ),
    );
  }
  return errors;
}

/** Checks a key of a Secret's or ConfigMap's data. */
export function configKeyErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > DNS1123_SUBDOMAIN_MAX_LENGTH) errors.push(maxLengthMessage(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!CONFIG_KEY.test(value)) {
    errors.push(
      regexMessage("a valid config key must consist of alphanumeric characters, '-', '_' or '.'", CONFIG_KEY_FORMAT, 'key.name', 'KEY_NAME', 'key-name'),
    );
  }
  errors.push(...relativeDirectoryErrors(value));
  return errors;
}

/**
 * Checks an environment variable name under the relaxed rule: printable ASCII other than '='.
 * The feature gate RelaxedEnvironmentVariableValidation is on by default from Kubernetes 1.32
 * and GA in 1.34 (pkg/features/kube_features.go).
 */
export function envVarNameErrors(value: string): string[] {
  if (value.length === 0) return ['environment variable name must be non-empty'];
  for (const character of value) {
    const code = character.codePointAt(0) ?? 0;
    if (code < 0x20 || code > 0x7e || character === '=') {
      return ["a valid environment variable name must consist only of printable ASCII characters other than '='"];
    }
  }
  return [];
}

function relativeDirectoryErrors(value: string): string[] {
  if (value === '.') return ["must not be '.'"];
  if (value === '..') return ["must not be '..'"];
  if (value.startsWith('..')) return ["must not start with '..'"];
  return [];
}

/**
 * Masks the trailing '-' of a name that gets a random suffix (generateName). This copies
 * apimachinery's maskTrailingDash, which replaces the last two characters with 'a'.
 */
export function maskTrailingDash(name: string): string {
  return name.endsWith('-') ? `${name.slice(0, -2)}a` : name;
}

/** Checks that a port number is from 1 to 65535. */
export function portNumberErrors(port: number): string[] {
  return port >= 1 && port <= 65535 ? [] : ['must be between 1 and 65535, inclusive'];
}
