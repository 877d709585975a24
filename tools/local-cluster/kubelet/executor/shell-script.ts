// The emulated `/bin/sh -c` of RUN steps: commands joined by `&&`, `||`, `;` and new lines, with
// the redirections `>`, `>>`, `1>`, `2>`, `2>>` and `2>&1`. shell-commands.ts runs each command.
// NOTE: words are split before redirections are found, so a quoted `">"` also redirects.
import { type CommandStream, type CommandStreams, runCommand, type ShellEnvironment } from './shell-commands';
import { splitWords } from './shell';

export type { ShellEnvironment } from './shell-commands';

export interface ShellResult {
  /** Lines that the script printed to the log. */
  output: string[];
  exitCode: number;
}

/** The destination of a command's output. */
type Target = { kind: 'log' } | { kind: 'null' } | { kind: 'file'; path: string };

/** Runs a `/bin/sh -c` script with the emulated commands. */
export async function runShellScript(script: string, environment: ShellEnvironment): Promise<ShellResult> {
  const output: string[] = [];
  let status = 0;
  for (const { operator, command } of splitCommandList(script)) {
    if (operator === '&&' && status !== 0) continue;
    if (operator === '||' && status === 0) continue;
    const { words, stdout, stderr } = applyRedirections(splitWords(command, environment.variables));
    const streams: CommandStreams = { stdout: openStream(stdout, output, environment), stderr: openStream(stderr, output, environment) };
    const result = await runCommand(words, streams, environment);
    if (result.exit) return { output, exitCode: result.status };
    status = result.status;
  }
  return { output, exitCode: status };
}

/** Runs an exec-form command (`RUN ["echo", "hi"]`), which no shell interprets. */
export async function runExecForm(words: string[], environment: ShellEnvironment): Promise<ShellResult> {
  const output: string[] = [];
  const log: Target = { kind: 'log' };
  const streams: CommandStreams = { stdout: openStream(log, output, environment), stderr: openStream(log, output, environment) };
  const result = await runCommand(words, streams, environment);
  return { output, exitCode: result.status };
}

const REDIRECTION = /^([12])?>>?(?:&([12]))?(.*)$/;

/** Removes the redirections from a command's words and returns where stdout and stderr go. */
function applyRedirections(all: string[]): { words: string[]; stdout: Target; stderr: Target } {
  const words: string[] = [];
  let stdout: Target = { kind: 'log' };
  let stderr: Target = { kind: 'log' };
  for (let index = 0; index < all.length; index += 1) {
    const match = REDIRECTION.exec(all[index]);
    if (!match) {
      words.push(all[index]);
      continue;
    }
    const [, descriptor = '1', duplicate, attached] = match;
    let target: Target;
    if (duplicate !== undefined && attached === '') {
      target = duplicate === '1' ? stdout : stderr;
    } else {
      const path = attached !== '' ? attached : (all[++index] ?? '');
      target = path === '/dev/null' ? { kind: 'null' } : { kind: 'file', path };
    }
    if (descriptor === '2') stderr = target;
    else stdout = target;
  }
  return { words, stdout, stderr };
}

function openStream(target: Target, output: string[], environment: ShellEnvironment): CommandStream {
  switch (target.kind) {
    case 'log':
      return {
        line: (text) => {
          output.push(text);
          environment.writeLine(text);
        },
        bytes: (count) => environment.writeOutputBytes(count),
      };
    case 'null':
      return { line: () => undefined, bytes: () => undefined };
    case 'file':
      return {
        line: (text) => environment.writeFile(target.path, Buffer.byteLength(text) + 1),
        bytes: (count) => environment.writeFile(target.path, count),
      };
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
