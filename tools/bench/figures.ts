// The figures of one benchmark run, as run.ts prints them and writes them with --json.

/** The programs whose packing is timed on each context. */
export type Contender = 'taskPack' | 'taskUpload' | 'gzip' | 'pigz';

export interface ContextFigures {
  name: string;
  /** Regular files in the context. */
  files: number;
  /** Bytes of all files. */
  bytes: number;
  /** Median wall time of each contender, in seconds; missing when it could not run. */
  seconds: Partial<Record<Contender, number>>;
  /** Median time of pack+upload's first read of the context, for the SHA-256 that names the blob, in seconds. */
  digestSeconds?: number;
  /** Wall time of the second pack+upload with the same sources and container, in seconds. */
  rerunSeconds?: number;
  /** Archive size of the task's packing, `tar | gzip -6` and `tar | pigz -6`. */
  archiveBytes: Partial<Record<'task' | 'gzip' | 'pigz', number>>;
  /** Peak resident memory of the task's packing alone and of its pack+upload, in KiB, the maximum over the runs. */
  packRssKiB?: number;
  uploadRssKiB?: number;
  /** Bytes the task uploaded on a first run and on a second run with the same sources and container. */
  firstUploadBytes?: number;
  rerunUploadBytes?: number;
}

/** The bundled task run through the agent-like runner, one entry per run. */
export interface TaskRunFigures {
  /** From process start to the first stdout line that is not a `##vso[` command. */
  firstLineSeconds: number[];
  /** From the kaniko container's termination to the task process's exit. */
  exitSeconds: number[];
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryBytes: number;
  node: string;
  /** First line of `pigz --version` and `gzip --version`, or `not installed`. */
  pigz: string;
  gzip: string;
}

export interface BenchFigures {
  /** When the run started, ISO 8601. */
  date: string;
  machine: Machine;
  /** Fraction of the full context sizes (1, or 0.01 with --quick). */
  scale: number;
  runs: number;
  /**
   * The 1-minute load average (os.loadavg) when the run started and ended. Above 0 other
   * processes competed for the cores, which makes the times longer and less steady.
   */
  loadAverage: { start: number; end?: number };
  /** Only the selected contexts are listed. */
  contexts: ContextFigures[];
  /** Set when the task runs were selected. */
  taskRuns?: TaskRunFigures;
  /** Set when the VSIX was selected; `bytes` is missing when packaging failed. */
  vsix?: { bytes?: number };
  /** One message for each part that could not run. */
  errors: string[];
}
