// The messages between the benchmark and its task driver (task-pack.ts, run as a bundle in a
// child process): one request as JSON on the driver's stdin, one report as JSON on the last line
// of its stdout.

/** The blob the driver uploads the archive to. The account key travels on stdin, never as an argument. */
export interface UploadTarget {
  /** Blob service URL, such as `http://127.0.0.1:41234/devstoreaccount1`. */
  endpoint: string;
  account: string;
  accountKey: string;
  container: string;
}

export interface DriverRequest {
  /**
   * `pack` writes the archive to a sink that only counts bytes; `upload` runs the task's whole
   * upload: reading the context for its SHA-256, and packing and uploading it unless the blob exists.
   */
  mode: 'pack' | 'upload';
  contextDir: string;
  /** The Dockerfile's path inside the context. */
  dockerfile: string;
  /** Required with `upload`. */
  target?: UploadTarget;
}

export interface DriverReport {
  /** Wall time from listing the context to the last byte packed or uploaded, in seconds. */
  seconds: number;
  /** Of `seconds`, the time the first read for the SHA-256 took; `upload` mode only. */
  digestSeconds?: number;
  files: number;
  /** Bytes of file contents before compression. */
  contentBytes: number;
  /** Size of the gzip tar archive; `pack` mode only. */
  archiveBytes?: number;
  /** Bytes sent to Blob Storage; 0 in `pack` mode. */
  uploadedBytes: number;
  /** Peak resident memory of the driver process (process.resourceUsage().maxRSS), in KiB. */
  maxRssKiB: number;
}
