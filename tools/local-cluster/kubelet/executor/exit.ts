// The end of an emulated executor run: output lines, then an exit code, as kaniko's cobra
// command ends on a flag error or a failed step.

/** The part of the executor request that receives output lines. */
export interface ExecutorOutput {
  writeLine(line: string): void;
}

/** Raised to end the run with an exit code after its output was written. */
export class ExecutorExit extends Error {
  constructor(readonly exitCode: number) {
    super(`executor exited with code ${exitCode}`);
  }
}

/** cobra's output for an error from flag parsing or validation: the error, then the usage. */
export const USAGE = [
  'Usage:',
  '  executor [flags]',
  '  executor [command]',
  '',
  'Use "executor [command] --help" for more information about a command.',
];

export function failLikeCobra(request: ExecutorOutput, message: string): never {
  // NOTE: cobra also lists every flag after the usage lines; the emulation leaves the list out.
  exitAfter(request, [...`Error: ${message}`.split('\n'), ...USAGE, ''], 1);
}

export function exitAfter(request: ExecutorOutput, lines: string[], exitCode: number): never {
  for (const line of lines.flatMap((text) => text.split('\n'))) request.writeLine(line);
  throw new ExecutorExit(exitCode);
}
