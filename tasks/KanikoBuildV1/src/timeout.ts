// A time limit for single requests that have no timeout of their own (client-node's API calls).

/** Resolves like `promise`, or rejects when `ms` pass first or `signal` aborts. */
export function withTimeout<T>(promise: Promise<T>, ms: number, description: string, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => finish(() => reject(signal?.reason));
    const timer = setTimeout(() => finish(() => reject(new Error(`${description} timed out after ${ms / 1000} s`))), ms);
    const finish = (settle: () => void): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      settle();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
    promise.then((value) => finish(() => resolve(value)), (error: unknown) => finish(() => reject(error)));
  });
}
