// Draws the summary screenshot: the Markdown that the task uploads with `task.uploadsummary`,
// rendered as a section of the run's summary page. The renderer covers the Markdown that a
// summary uses: headings, paragraphs, bullet lists, tables, fenced code, `code`, **bold** and
// [links](url). Text is wrapped by an estimate of the font's average character width.
import { COLORS, HEIGHT, MONO, MONO_ADVANCE, SANS, WIDTH, escapeXml, svgDocument, text } from './svg';

/** Average advance of a Noto Sans character as a fraction of the font size, an estimate for wrapping. */
const SANS_ADVANCE = 0.5;
const CONTENT_LEFT = 72;
const CONTENT_WIDTH = WIDTH - 2 * CONTENT_LEFT;

export type Block =
  | { kind: 'heading'; level: number; text: string }
  | { kind: 'paragraph'; text: string }
  | { kind: 'list'; items: string[] }
  | { kind: 'table'; header: string[]; rows: string[][] }
  | { kind: 'code'; lines: string[] };

interface Span {
  text: string;
  style: 'plain' | 'bold' | 'code' | 'link';
}

function splitTableRow(line: string): string[] {
  return line.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map((cell) => cell.trim());
}

/** Splits Markdown into the blocks that the renderer draws. */
export function parseMarkdown(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.replace(/\r\n/g, '\n').split('\n');
  let index = 0;
  while (index < lines.length) {
    const line = lines[index];
    if (line.trim() === '') {
      index += 1;
    } else if (line.startsWith('```')) {
      const end = lines.findIndex((candidate, at) => at > index && candidate.startsWith('```'));
      const stop = end < 0 ? lines.length : end;
      blocks.push({ kind: 'code', lines: lines.slice(index + 1, stop) });
      index = stop + 1;
    } else if (/^#{1,6} /.test(line)) {
      const [, hashes, title] = /^(#{1,6}) (.*)$/.exec(line)!;
      blocks.push({ kind: 'heading', level: hashes.length, text: title.trim() });
      index += 1;
    } else if (line.trim().startsWith('|') && /^\s*\|?\s*:?-{3,}/.test(lines[index + 1] ?? '')) {
      const header = splitTableRow(line);
      const rows: string[][] = [];
      index += 2;
      while (index < lines.length && lines[index].trim().startsWith('|')) rows.push(splitTableRow(lines[index++]));
      blocks.push({ kind: 'table', header, rows });
    } else if (/^\s*[-*] /.test(line)) {
      const items: string[] = [];
      while (index < lines.length && /^\s*[-*] /.test(lines[index])) items.push(lines[index++].replace(/^\s*[-*] /, ''));
      blocks.push({ kind: 'list', items });
    } else {
      const paragraph: string[] = [];
      while (index < lines.length && lines[index].trim() !== '' && !/^(#{1,6} |```|\s*[-*] |\s*\|)/.test(lines[index])) {
        paragraph.push(lines[index++].trim());
      }
      blocks.push({ kind: 'paragraph', text: paragraph.join(' ') });
    }
  }
  return blocks;
}

/** Splits inline Markdown into styled spans. */
export function parseInline(source: string): Span[] {
  const spans: Span[] = [];
  const pattern = /`([^`]+)`|\*\*([^*]+)\*\*|\[([^\]]+)\]\([^)]*\)/g;
  let last = 0;
  for (const match of source.matchAll(pattern)) {
    if (match.index > last) spans.push({ text: source.slice(last, match.index), style: 'plain' });
    if (match[1] !== undefined) spans.push({ text: match[1], style: 'code' });
    else if (match[2] !== undefined) spans.push({ text: match[2], style: 'bold' });
    else spans.push({ text: match[3], style: 'link' });
    last = match.index + match[0].length;
  }
  if (last < source.length) spans.push({ text: source.slice(last), style: 'plain' });
  return spans;
}

function spanWidth(span: Span, size: number): number {
  return span.text.length * size * (span.style === 'code' ? MONO_ADVANCE : SANS_ADVANCE * (span.style === 'bold' ? 1.05 : 1));
}

/** Wraps spans into lines of at most `width` pixels, breaking between words. */
function wrapSpans(spans: Span[], size: number, width: number): Span[][] {
  const lines: Span[][] = [[]];
  let used = 0;
  for (const span of spans) {
    for (const word of span.text.split(/(?<= )/)) {
      const piece = { text: word, style: span.style };
      const pieceWidth = spanWidth(piece, size);
      if (used + pieceWidth > width && used > 0) {
        lines.push([]);
        used = 0;
        piece.text = piece.text.trimStart();
      }
      lines.at(-1)!.push(piece);
      used += pieceWidth;
    }
  }
  return lines;
}

function spanElements(spans: Span[]): string {
  return spans
    .map((span) => {
      const content = escapeXml(span.text);
      if (span.style === 'code') return `<tspan font-family="${MONO}" fill="#9A3412">${content}</tspan>`;
      if (span.style === 'bold') return `<tspan font-weight="bold">${content}</tspan>`;
      if (span.style === 'link') return `<tspan fill="${COLORS.blue}">${content}</tspan>`;
      return content;
    })
    .join('');
}

function richLine(x: number, y: number, spans: Span[], size: number, color = COLORS.ink): string {
  return `<text x="${x}" y="${y}" font-family="${SANS}" font-size="${size}" fill="${color}" xml:space="preserve">${spanElements(spans)}</text>`;
}

/** Returns the elements of one block starting at `top`, and the y below it. */
function drawBlock(block: Block, top: number): { elements: string[]; bottom: number } {
  const elements: string[] = [];
  let y = top;
  if (block.kind === 'heading') {
    const size = [0, 26, 21, 18, 16, 15, 15][block.level];
    y += size + 8;
    elements.push(richLine(CONTENT_LEFT, y, parseInline(block.text).map((span) => ({ ...span, style: span.style === 'code' ? 'code' : 'bold' })), size));
    return { elements, bottom: y + 12 };
  }
  if (block.kind === 'paragraph') {
    for (const line of wrapSpans(parseInline(block.text), 16, CONTENT_WIDTH)) {
      y += 24;
      elements.push(richLine(CONTENT_LEFT, y, line, 16));
    }
    return { elements, bottom: y + 12 };
  }
  if (block.kind === 'list') {
    for (const item of block.items) {
      wrapSpans(parseInline(item), 16, CONTENT_WIDTH - 24).forEach((line, index) => {
        y += 24;
        if (index === 0) elements.push(`<circle cx="${CONTENT_LEFT + 8}" cy="${y - 5}" r="3" fill="${COLORS.muted}"/>`);
        elements.push(richLine(CONTENT_LEFT + 24, y, line, 16));
      });
    }
    return { elements, bottom: y + 12 };
  }
  if (block.kind === 'code') {
    const height = block.lines.length * 20 + 20;
    elements.push(`<rect x="${CONTENT_LEFT}" y="${y + 6}" width="${CONTENT_WIDTH}" height="${height}" rx="6" fill="#F3F5F8" stroke="${COLORS.line}"/>`);
    block.lines.forEach((line, index) => {
      elements.push(text(CONTENT_LEFT + 16, y + 30 + index * 20, line, { size: 14, family: MONO }));
    });
    return { elements, bottom: y + height + 18 };
  }
  return drawTable(block, y);
}

function drawTable(block: Extract<Block, { kind: 'table' }>, top: number): { elements: string[]; bottom: number } {
  const columns = block.header.length;
  // Each column gets room in proportion to its longest cell, with a minimum.
  const longest = block.header.map((cell, column) => Math.max(cell.length, ...block.rows.map((row) => (row[column] ?? '').length), 16));
  const total = longest.reduce((sum, length) => sum + length, 0);
  const widths = longest.map((length) => (length / total) * CONTENT_WIDTH);
  const elements: string[] = [];
  let y = top + 6;
  const rowHeight = 28;
  [block.header, ...block.rows].forEach((row, rowIndex) => {
    let fill: string = COLORS.white;
    if (rowIndex === 0) fill = '#EAF1F8';
    else if (rowIndex % 2 === 0) fill = '#F8FAFC';
    elements.push(`<rect x="${CONTENT_LEFT}" y="${y}" width="${CONTENT_WIDTH}" height="${rowHeight}" fill="${fill}" stroke="${COLORS.line}"/>`);
    let x = CONTENT_LEFT;
    for (let column = 0; column < columns; column += 1) {
      const maxChars = Math.floor((widths[column] - 24) / (15 * SANS_ADVANCE));
      const cell = row[column] ?? '';
      const shown = cell.length > maxChars ? `${cell.slice(0, maxChars - 1)}…` : cell;
      const spans = parseInline(shown).map((span) => (rowIndex === 0 ? { ...span, style: 'bold' as const } : span));
      elements.push(richLine(x + 12, y + 19, spans, 15));
      x += widths[column];
    }
    y += rowHeight;
  });
  return { elements, bottom: y + 18 };
}

/** Builds the SVG document of a run's summary page that shows `markdown` under the section title `title`. */
export function summarySvg(title: string, markdown: string, runName: string): string {
  const body = [
    `<rect width="${WIDTH}" height="72" fill="${COLORS.white}"/>`,
    `<rect y="72" width="${WIDTH}" height="1" fill="${COLORS.line}"/>`,
    text(40, 44, runName, { size: 22, weight: 'bold' }),
    text(WIDTH - 40, 44, 'Summary', { size: 16, weight: 'bold', color: COLORS.blue, anchor: 'end' }),
    `<rect x="${WIDTH - 118}" y="66" width="78" height="4" rx="2" fill="${COLORS.blue}"/>`,
    `<rect x="40" y="100" width="${WIDTH - 80}" height="${HEIGHT - 130}" rx="10" fill="${COLORS.white}" stroke="${COLORS.line}"/>`,
    text(CONTENT_LEFT, 142, title, { size: 19, weight: 'bold' }),
    `<rect x="${CONTENT_LEFT}" y="158" width="${CONTENT_WIDTH}" height="1" fill="${COLORS.line}"/>`,
  ];
  let y = 166;
  for (const block of parseMarkdown(markdown)) {
    const drawn = drawBlock(block, y);
    if (drawn.bottom > HEIGHT - 40) {
      throw new Error(`The summary does not fit in ${WIDTH}x${HEIGHT}: it reaches y=${Math.round(drawn.bottom)} at a ${block.kind} block.`);
    }
    body.push(...drawn.elements);
    y = drawn.bottom;
  }
  return svgDocument(body, COLORS.paper);
}
