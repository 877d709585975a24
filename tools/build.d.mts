// Types of tools/build.mjs, for the tests that inspect the bundle.
import type { BuildOptions } from 'esbuild';

/** Returns the esbuild options that bundle the handlers of the task in `taskDir` into `taskDir/dist`. */
export function bundleOptions(taskDir: string): BuildOptions;

/** Bundles the task in `taskDir` into a fresh `taskDir/dist`. */
export function buildTask(taskDir: string): Promise<void>;
