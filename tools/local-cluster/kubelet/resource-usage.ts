// The resources that an emulated program reports as it runs, so that the kubelet emulation can
// enforce the container's limits: memory through an OOM kill, local ephemeral storage through
// eviction.

/** The resource use that a running container's program reports. */
export interface ContainerUsage {
  /** Counts bytes written to the container's writable layer, its own root file system. */
  addWritableLayerBytes(bytes: number): void;
  /** Counts bytes written to the container's log besides the lines the kubelet receives. */
  addLogBytes(bytes: number): void;
  /** Counts memory that the program keeps. Throws OutOfMemoryKill once the total passes the container's memory limit. */
  addMemoryBytes(bytes: number): void;
}

/**
 * Thrown into a program whose container passed its memory limit: the kernel's OOM killer ends
 * the process at once with SIGKILL, so the program writes nothing more.
 */
export class OutOfMemoryKill extends Error {
  constructor(readonly usedBytes: number, readonly limitBytes: number) {
    super(`memory use of ${usedBytes} bytes passed the limit of ${limitBytes} bytes`);
    this.name = 'OutOfMemoryKill';
  }
}

/** A usage that counts nothing, for programs run outside a kubelet. */
export const UNCOUNTED_USAGE: ContainerUsage = {
  addWritableLayerBytes: () => undefined,
  addLogBytes: () => undefined,
  addMemoryBytes: () => undefined,
};
