// Escapes text for the step's markdown summary.

/**
 * Writes `text` as an inline code span, which shows every character as it is, HTML included
 * (CommonMark 0.31, "Code spans"). The fence is one backtick longer than the longest run of
 * backticks inside, and line breaks become spaces, so the text cannot end the span or the list
 * item. Code spans stay out of tables, where GitHub Flavored Markdown splits cells at a `|` even
 * inside a span.
 */
export function codeSpan(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ');
  if (flat === '') return '';
  const longestRun = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const padding = flat.startsWith('`') || flat.endsWith('`') || /^ .* $/.test(flat) ? ' ' : '';
  return `${fence}${padding}${flat}${padding}${fence}`;
}
