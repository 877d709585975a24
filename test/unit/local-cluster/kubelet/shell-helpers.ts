// A ShellEnvironment for tests that records every file write, printed line, binary output and
// sleep, and never waits.
import type { ShellEnvironment } from '../../../../tools/local-cluster/kubelet/executor/shell-script';

export interface RecordingShell extends ShellEnvironment {
  /** Bytes written per file path, summed over every write. */
  files: Map<string, number>;
  /** Every write as [path, bytes], in order. */
  writes: Array<[string, number]>;
  lines: string[];
  outputBytes: number;
  /** The durations of `sleep`, in seconds. */
  sleeps: number[];
}

export function recordingShell(variables: ReadonlyMap<string, string> = new Map()): RecordingShell {
  const shell: RecordingShell = {
    variables,
    files: new Map(),
    writes: [],
    lines: [],
    outputBytes: 0,
    sleeps: [],
    sleep: (seconds) => {
      shell.sleeps.push(seconds);
      return Promise.resolve();
    },
    writeFile: (path, bytes) => {
      shell.writes.push([path, bytes]);
      shell.files.set(path, (shell.files.get(path) ?? 0) + bytes);
    },
    writeLine: (text) => shell.lines.push(text),
    writeOutputBytes: (bytes) => {
      shell.outputBytes += bytes;
    },
  };
  return shell;
}
