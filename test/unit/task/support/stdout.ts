// Captures what a piece of code writes to stdout: console.log and task-lib's `##vso[` commands.

/** Runs `body` while collecting everything written to process.stdout, and returns it with the result. */
export async function captureStdout<T>(body: () => Promise<T>): Promise<{ result: T; output: string }> {
  const original = process.stdout.write;
  const chunks: string[] = [];
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const callback = rest.find((argument) => typeof argument === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof process.stdout.write;
  try {
    const result = await body();
    return { result, output: chunks.join('') };
  } finally {
    process.stdout.write = original;
  }
}
