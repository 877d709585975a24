// Word splitting and variable substitution for the emulated build, as Dockerfile instructions
// and `/bin/sh -c` do them. shell-script.ts runs the commands.

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
