// kaniko's fatal error lines in the build log. kaniko ends a failed run by printing the error on
// a line of its own, prefixed by the stage that failed (osscontainertools/kaniko
// cmd/executor/cmd/root.go, v1.28.3). Errors before the build starts go through cobra, which
// puts `Error: ` in front. Pure: tested without a cluster.

/** The stage of kaniko's run that failed. */
export type KanikoErrorKind = 'sourceContext' | 'pushPermissions' | 'building' | 'pushing';

export interface KanikoError {
  kind: KanikoErrorKind;
  /** The error's text: its log line and the lines that continue it, cut to MAX_ERROR_LENGTH characters. */
  line: string;
}

const MAX_ERROR_LENGTH = 500;
/** How many lines after the error line may continue it. */
const MAX_CONTINUATION_LINES = 6;
/**
 * Lines that end an error's text: blank lines, cobra's usage, kaniko's own log entries (logrus
 * text or JSON), and separator lines of dashes, which the Azure SDK puts into its errors.
 */
const NOT_CONTINUATION = /^(?:$|Usage:|time=|\{"level"|-+$)/;

/**
 * The prefixes of kaniko's fatal errors. Since osscontainertools v1.26.2 the push check prints
 * `error checking push permissions: ...`; earlier releases and Google's kaniko print
 * `error checking push permissions -- make sure you entered the correct tag name, ...: ...`.
 * Both forms start with the same words.
 */
const FATAL_ERRORS: [KanikoErrorKind, RegExp][] = [
  ['sourceContext', /^(?:Error: )?error resolving source context\b/],
  ['pushPermissions', /^(?:Error: )?error checking push permissions\b/],
  ['building', /^(?:Error: )?error building image\b/],
  ['pushing', /^(?:Error: )?error pushing image\b/],
];

/** Returns the fatal error that `line` reports, or undefined for any other line. */
export function kanikoErrorIn(line: string): KanikoError | undefined {
  const text = line.trim();
  for (const [kind, pattern] of FATAL_ERRORS) {
    if (pattern.test(text)) return { kind, line: shorten(text) };
  }
  return undefined;
}

/**
 * Keeps the last fatal error of a log that is read line by line. An error whose message spans
 * several lines, such as an Azure SDK response error, keeps its following lines too.
 */
export class KanikoErrorScanner {
  private found: KanikoError | undefined;
  private continuation = 0;

  scan(line: string): void {
    const error = kanikoErrorIn(line);
    if (error) {
      this.found = error;
      this.continuation = MAX_CONTINUATION_LINES;
      return;
    }
    const text = line.trim();
    if (!this.found || this.continuation === 0) return;
    if (NOT_CONTINUATION.test(text)) {
      // Separator lines are skipped; anything else ends the error.
      if (!/^-+$/.test(text)) this.continuation = 0;
      return;
    }
    this.continuation -= 1;
    this.found = { ...this.found, line: shorten(`${this.found.line}\n${text}`) };
  }

  get error(): KanikoError | undefined {
    return this.found;
  }
}

function shorten(text: string): string {
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH)}...` : text;
}
