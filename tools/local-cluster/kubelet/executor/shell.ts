// Minimal shell semantics for the emulated build: Dockerfile variable substitution and a
// tiny `/bin/sh -c` that understands `echo`, `exit N`, `true` and `false` joined by `&&`,
// `||` and `;`. Every other command succeeds without output.

/**
 * Expands `$NAME`, `${NAME}`, `${NAME:-word}`, `${NAME-word}`, `${NAME:+word}` and
 * `${NAME+word}` as Dockerfile instructions do. `\$` stays a literal dollar sign.
 */
export function expandVariables(text: string, variables: ReadonlyMap<string, string>): string {
  const pattern = /\\\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;
  return text.replace(pattern, (match, braced?: string, operator?: string, word?: string, bare?: string) => {
    if (match === '\\$') return '$';
    const name = braced ?? bare ?? '';
    const value = variables.get(name);
    switch (operator) {
      case ':-': return value ? value : (word ?? '');
      case '-': return value !== undefined ? value : (word ?? '');
      case ':+': return value ? (word ?? '') : '';
      case '+': return value !== undefined ? (word ?? '') : '';
      default: return value ?? '';
    }
  });
}

/** Parses `NAME=value` pairs of ARG, ENV and LABEL, with quotes, and the legacy `ENV NAME value` form. */
export function parseKeyValues(rest: string, allowLegacyForm: boolean): Array<{ key: string; value?: string }> {
  const words = splitWords(rest, undefined);
  if (allowLegacyForm && words.length > 0 && !words[0].includes('=')) {
    const [key, ...value] = rest.trim().split(/\s+/);
    return [{ key, value: value.join(' ') }];
  }
  return words.map((word) => {
    const equals = word.indexOf('=');
    return equals === -1 ? { key: word } : { key: word.slice(0, equals), value: word.slice(equals + 1) };
  });
}

/**
 * Splits text into words as a POSIX shell does for quotes and backslashes. When `variables`
 * is given, `$NAME` expands outside single quotes.
 */
export function splitWords(text: string, variables: ReadonlyMap<string, string> | undefined): string[] {
  const words: string[] = [];
  let current = '';
  let started = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (/\s/.test(char)) {
      if (started) words.push(current);
      current = '';
      started = false;
      continue;
    }
    started = true;
    if (char === '\\' && index + 1 < text.length) {
      index += 1;
      current += text[index];
    } else if (char === "'") {
      const end = text.indexOf("'", index + 1);
      const stop = end === -1 ? text.length : end;
      current += text.slice(index + 1, stop);
      index = stop;
    } else if (char === '"') {
      const end = findClosingDoubleQuote(text, index + 1);
      const inner = text.slice(index + 1, end).replace(/\\(["\\$`])/g, '$1');
      current += variables ? expandVariables(inner, variables) : inner;
      index = end;
    } else if (char === '$' && variables) {
      const match = /^\$(\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)/.exec(text.slice(index));
      if (match) {
        current += expandVariables(match[0], variables);
        index += match[0].length - 1;
      } else {
        current += char;
      }
    } else {
      current += char;
    }
  }
  if (started) words.push(current);
  return words;
}

function findClosingDoubleQuote(text: string, from: number): number {
  for (let index = from; index < text.length; index += 1) {
    if (text[index] === '\\') index += 1;
    else if (text[index] === '"') return index;
  }
  return text.length;
}

export interface ShellResult {
  /** Lines that the script printed. */
  output: string[];
  exitCode: number;
}

/** Runs a `/bin/sh -c` script with the emulated commands. */
export function runShellScript(script: string, variables: ReadonlyMap<string, string>): ShellResult {
  const output: string[] = [];
  let status = 0;
  for (const { operator, command } of splitCommandList(script)) {
    if (operator === '&&' && status !== 0) continue;
    if (operator === '||' && status === 0) continue;
    const words = splitWords(command, variables);
    const result = runCommand(words, output);
    if (result.exit) return { output, exitCode: result.status };
    status = result.status;
  }
  return { output, exitCode: status };
}

/** Runs an exec-form command (`RUN ["echo", "hi"]`), which no shell interprets. */
export function runExecForm(words: string[]): ShellResult {
  const output: string[] = [];
  const result = runCommand(words, output);
  return { output, exitCode: result.status };
}

function runCommand(words: string[], output: string[]): { status: number; exit: boolean } {
  const [name, ...args] = words;
  switch (name) {
    case 'echo':
      output.push(args.join(' '));
      return { status: 0, exit: false };
    case 'exit': {
      const code = args.length === 0 ? 0 : Number.parseInt(args[0], 10);
      return { status: Number.isNaN(code) ? 2 : code & 0xff, exit: true };
    }
    case 'false':
      return { status: 1, exit: false };
    default:
      return { status: 0, exit: false };
  }
}

/** Splits a script at `&&`, `||`, `;` and new lines outside quotes. */
function splitCommandList(script: string): Array<{ operator: string; command: string }> {
  const commands: Array<{ operator: string; command: string }> = [];
  let operator = ';';
  let current = '';
  let quote: string | undefined;
  for (let index = 0; index < script.length; index += 1) {
    const char = script[index];
    const pair = script.slice(index, index + 2);
    if (quote) {
      if (char === '\\' && quote === '"' && index + 1 < script.length) {
        current += char + script[index + 1];
        index += 1;
        continue;
      }
      if (char === quote) quote = undefined;
      current += char;
      continue;
    }
    if (char === "'" || char === '"') quote = char;
    if (pair === '&&' || pair === '||' || char === ';' || char === '\n') {
      commands.push({ operator, command: current });
      operator = char === ';' || char === '\n' ? ';' : pair;
      current = '';
      if (pair === '&&' || pair === '||') index += 1;
      continue;
    }
    current += char;
  }
  commands.push({ operator, command: current });
  return commands.filter(({ command }) => command.trim() !== '');
}
