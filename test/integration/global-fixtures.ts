// Mocha global fixtures (loaded through .mocharc.json's `require`). Anything a test starts for
// the whole mocha process registers its stop function here, and mochaGlobalTeardown stops it
// after the last test. Loading this file starts nothing.

/** A stop function registered by a test helper, with a name for error messages. */
interface GlobalCleanup {
  name: string;
  run: () => Promise<void>;
}

// Kept on globalThis so that one list serves even if a loader evaluates this module twice.
const CLEANUPS_KEY = Symbol.for('kaniko-build-on-aks.test.global-cleanups');

function cleanups(): GlobalCleanup[] {
  const holder = globalThis as { [CLEANUPS_KEY]?: GlobalCleanup[] };
  holder[CLEANUPS_KEY] ??= [];
  return holder[CLEANUPS_KEY];
}

/** Registers a stop function to run once after all tests. Later registrations run first. */
export function registerGlobalCleanup(name: string, run: () => Promise<void>): void {
  cleanups().push({ name, run });
}

/** Stops everything registered, newest first, and reports every failure together. */
export async function mochaGlobalTeardown(): Promise<void> {
  const pending = cleanups().splice(0).reverse();
  const failures: Error[] = [];
  for (const cleanup of pending) {
    try {
      await cleanup.run();
    } catch (error) {
      failures.push(new Error(`Stopping ${cleanup.name} failed: ${(error as Error).message}`, { cause: error }));
    }
  }
  if (failures.length > 0) {
    const messages = failures.map((failure) => failure.message).join(' ');
    throw new AggregateError(failures, `${failures.length} test stand-in(s) did not stop cleanly. ${messages}`);
  }
}
