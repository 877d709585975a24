// Time limits for single requests that have no timeout of their own (client-node's API calls, Azure requests).

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

/**
 * Runs `task` with a signal that aborts when `signal` aborts or `ms` pass, with an error that
 * names `description`. The result settles by then even when `task` ignores its signal, as
 * @azure/identity's ManagedIdentityCredential does (it passes no abort signal to MSAL).
 */
export function withDeadline<T>(
  task: (signal: AbortSignal) => Promise<T>, ms: number, description: string, signal: AbortSignal,
): Promise<T> {
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new Error(`${description} timed out after ${ms / 1000} s`)), ms);
  const combined = AbortSignal.any([signal, deadline.signal]);
  return withTimeout(task(combined), ms, description, signal).finally(() => clearTimeout(timer));
}
