// Reads the parts of Markdown files that the checks need: fenced code blocks and the anchors
// that GitHub gives headings.

export interface FencedBlock {
  /** The word after the opening fence, such as `yaml`, or empty when there is none. */
  language: string;
  body: string;
  /** The 1-based line of the block's first body line in the file. */
  line: number;
}

/** Returns the fenced code blocks (``` or ~~~) of a Markdown text, in order. */
export function fencedBlocks(text: string): FencedBlock[] {
  const blocks: FencedBlock[] = [];
  const lines = text.split('\n');
  let open: { fence: string; indent: number; language: string; start: number; body: string[] } | undefined;
  for (const [index, line] of lines.entries()) {
    if (open === undefined) {
      const start = /^( {0,3})(`{3,}|~{3,})\s*([^\s`]*)/.exec(line);
      if (start) open = { indent: start[1].length, fence: start[2], language: start[3], start: index + 2, body: [] };
      continue;
    }
    const close = new RegExp(`^ {0,3}${open.fence[0]}{${open.fence.length},}\\s*$`);
    if (close.test(line)) {
      blocks.push({ language: open.language, body: open.body.join('\n'), line: open.start });
      open = undefined;
    } else {
      open.body.push(removeIndent(line, open.indent));
    }
  }
  return blocks;
}

/** Removes up to `indent` leading spaces, as CommonMark does for the lines of an indented fence. */
function removeIndent(line: string, indent: number): string {
  let removed = 0;
  while (removed < indent && line[removed] === ' ') removed += 1;
  return line.slice(removed);
}

/**
 * Returns the anchors GitHub gives the ATX headings of a Markdown text, outside code blocks: the
 * text in lower case, without punctuation, with spaces turned into dashes, and `-1`, `-2` after
 * repeats (github/cmark-gfm's heading anchors as github.com renders them).
 */
export function headingAnchors(text: string): Set<string> {
  const insideCode = new Set<number>();
  for (const block of fencedBlocks(text)) {
    const count = block.body.split('\n').length;
    for (let line = block.line - 1; line <= block.line + count; line += 1) insideCode.add(line);
  }
  const anchors = new Set<string>();
  const counts = new Map<string, number>();
  for (const [index, line] of text.split('\n').entries()) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading || insideCode.has(index + 1)) continue;
    const slug = githubSlug(heading[1]);
    const seen = counts.get(slug) ?? 0;
    anchors.add(seen === 0 ? slug : `${slug}-${seen}`);
    counts.set(slug, seen + 1);
  }
  return anchors;
}

/** Turns heading text into GitHub's anchor: lower case, letters, digits, `-` and `_` kept, spaces to dashes. */
export function githubSlug(heading: string): string {
  const plain = heading.replace(/`/g, '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
  return plain.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}
