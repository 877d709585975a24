// Step log output: log groups, and echoing of untrusted build output.

/** Runs `body` inside a collapsible log group, closing the group even when `body` throws. */
export async function inGroup<T>(title: string, body: () => Promise<T>): Promise<T> {
  console.log(`##[group]${title}`);
  try {
    return await body();
  } finally {
    console.log('##[endgroup]');
  }
}

/**
 * Makes one line of build output safe to print. The agent runs `##vso[` commands found
 * anywhere in a line and treats lines that start with `##[` as formatting, so a RUN step
 * could otherwise set variables or change the result. A zero-width space after `##`
 * disarms both and leaves the text readable. Carriage returns (progress bars) are dropped
 * so that a line cannot hide what came before it.
 */
export function neutralizeLine(line: string): string {
  return line.replace(/\r/g, '').replace(/##(vso\[|\[)/gi, '##\u200b$1');
}
