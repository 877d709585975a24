// Describes the machine the benchmark ran on.
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import type { Machine } from './figures';
import { programVersion } from './shell';

export function describeMachine(): Machine {
  return {
    cpu: cpuModel(),
    cores: os.availableParallelism(),
    memoryBytes: os.totalmem(),
    node: process.version,
    pigz: programVersion('pigz') ?? 'not installed',
    gzip: programVersion('gzip') ?? 'not installed',
  };
}

/** Returns the `model name` of /proc/cpuinfo (Linux on x86), else what Node.js reports. */
function cpuModel(): string {
  try {
    const model = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1];
    if (model) return model.trim();
  } catch {
    // No /proc/cpuinfo on this system; os.cpus() below covers it.
  }
  return os.cpus()[0]?.model ?? 'unknown';
}
