// Types of tools/bump-version.mjs, for the tests that check versions and the code fingerprint.

export interface Versions {
  /** The task version from task.json, as X.Y.Z. */
  task: string;
  /** The extension version from vss-extension.json. */
  extension: string;
  /** The contents of the task's code-fingerprint.json, or undefined when the file is missing. */
  recorded?: { version: string; sha256: string };
}

/** Parses "X.Y.Z" into numbers, or returns undefined for anything else. */
export function parseVersion(text: string): [number, number, number] | undefined;

/** Reads the task version, the extension version and the recorded fingerprint, if any. */
export function readVersions(root: string): Versions;

/** Returns the version after `current` for a bump kind, or the explicit version `request` when it is above `current`. */
export function nextVersion(current: string, request: string): string;

/** Computes the SHA-256 fingerprint of the task's shipped code in the repository at `root`. */
export function computeFingerprint(root: string): Promise<string>;

/** Returns the reasons why the versions and the recorded fingerprint do not fit the code; empty when they fit. */
export function findVersionProblems(root: string): Promise<string[]>;
