// Draws the log screenshot: the step's log lines from a captured run in a dark log view, with the
// step's result in a header and its output variables in a footer. When the log has more lines
// than fit, the middle of the kaniko build log is left out, and a marked row gives the count.
import type { CapturedRun } from './capture';
import { COLORS, HEIGHT, MONO, MONO_ADVANCE, SANS, WIDTH, escapeXml, svgDocument, text } from './svg';

const THEME = {
  page: '#1E1E1E',
  header: '#2A2D31',
  footer: '#25282C',
  rule: '#3A3F45',
  text: '#D4D4D4',
  dim: '#8B949E',
  gutter: '#6E7681',
  group: '#F0F3F6',
  elision: '#2B3036',
  success: '#3FB950',
  failure: '#F85149',
};

const FONT_SIZE = 12.5;
const LINE_HEIGHT = 17;
const HEADER_HEIGHT = 76;
const FOOTER_HEIGHT = 104;
const GUTTER_WIDTH = 64;
const LOG_TOP = HEADER_HEIGHT + 12;
const LOG_LEFT = GUTTER_WIDTH + 14;
const MAX_CHARS = Math.floor((WIDTH - LOG_LEFT - 24) / (FONT_SIZE * MONO_ADVANCE));
const KANIKO_GROUP = /^##\[group\]kaniko build log/;

/** A row of the view: a log line with its 1-based number in the log, or the marker of left-out lines. */
type Row = { kind: 'line'; number: number; text: string } | { kind: 'elision'; count: number };

function truncate(line: string, maxChars: number): string {
  return line.length <= maxChars ? line : `${line.slice(0, maxChars - 1)}…`;
}

/**
 * Returns the rows to draw: every line but `##[endgroup]`, and, when they do not fit in
 * `capacity` rows, the start and the end of the kaniko build log with an elision row between.
 */
export function selectRows(log: string[], capacity: number): Row[] {
  const rows: Row[] = [];
  log.forEach((line, index) => {
    if (!line.startsWith('##[endgroup]')) rows.push({ kind: 'line', number: index + 1, text: line });
  });
  if (rows.length <= capacity) return rows;

  const groupStart = rows.findIndex((row) => row.kind === 'line' && KANIKO_GROUP.test(row.text));
  let groupEnd = rows.findIndex((row, index) => index > groupStart && row.kind === 'line' && row.text.startsWith('##[group]'));
  if (groupEnd < 0) groupEnd = rows.length;
  const excess = rows.length - capacity + 1;
  const kanikoLines = groupEnd - groupStart - 1;
  if (groupStart < 0 || kanikoLines - excess < 4) {
    throw new Error(`The log has ${rows.length} lines, too many for ${capacity} rows even with the kaniko log shortened.`);
  }
  // Keep slightly more of the end, where kaniko pushes the image.
  const keep = kanikoLines - excess;
  const head = Math.floor(keep * 0.45);
  const cutStart = groupStart + 1 + head;
  return [...rows.slice(0, cutStart), { kind: 'elision', count: excess }, ...rows.slice(cutStart + excess)];
}

/** Returns the <text> of one log line, with kaniko's `time=... level=...` prefix dimmed and a group header in bold. */
function logLine(y: number, line: string): string {
  const base = `x="${LOG_LEFT}" y="${y}" font-family="${MONO}" font-size="${FONT_SIZE}" xml:space="preserve"`;
  if (line.startsWith('##[group]')) {
    const title = truncate(line.slice('##[group]'.length), MAX_CHARS - 2);
    return `<text ${base} font-weight="bold" fill="${THEME.group}">▾ ${escapeXml(title)}</text>`;
  }
  const shown = truncate(line, MAX_CHARS);
  const kaniko = /^(time="[^"]*" level=\w+ )(.*)$/.exec(shown);
  if (kaniko) {
    return `<text ${base} fill="${THEME.text}"><tspan fill="${THEME.dim}">${escapeXml(kaniko[1])}</tspan>${escapeXml(kaniko[2])}</text>`;
  }
  return `<text ${base} fill="${THEME.text}">${escapeXml(shown)}</text>`;
}

function header(run: CapturedRun): string[] {
  const succeeded = run.result === 'Succeeded';
  const color = succeeded ? THEME.success : THEME.failure;
  const mark = succeeded ? 'M-6 0 l4 4 l8 -9' : 'M-5 -5 l10 10 M5 -5 l-10 10';
  return [
    `<rect width="${WIDTH}" height="${HEADER_HEIGHT}" fill="${THEME.header}"/>`,
    `<g transform="translate(38 38)"><circle r="15" fill="${color}"/>` +
      `<path d="${mark}" fill="none" stroke="#FFFFFF" stroke-width="3" stroke-linecap="round" stroke-linejoin="round"/></g>`,
    text(66, 33, run.stepName, { size: 20, weight: 'bold', color: THEME.group }),
    text(66, 57, `KanikoBuild@1 · ${run.result}`, { size: 15, color }),
    text(WIDTH - 28, 33, 'Step log of the sample pipeline', { size: 14, color: THEME.dim, anchor: 'end' }),
    text(WIDTH - 28, 55, 'captured from a run on the local stand-ins', { size: 14, color: THEME.dim, anchor: 'end' }),
    `<rect y="${HEADER_HEIGHT}" width="${WIDTH}" height="1" fill="${THEME.rule}"/>`,
  ];
}

function footer(run: CapturedRun): string[] {
  const top = HEIGHT - FOOTER_HEIGHT;
  const parts = [
    `<rect y="${top}" width="${WIDTH}" height="${FOOTER_HEIGHT}" fill="${THEME.footer}"/>`,
    `<rect y="${top}" width="${WIDTH}" height="1" fill="${THEME.rule}"/>`,
    text(28, top + 30, 'Output variables', { size: 15, weight: 'bold', color: THEME.group, family: SANS }),
  ];
  Object.entries(run.outputVariables).forEach(([name, value], index) => {
    const y = top + 58 + index * 24;
    parts.push(text(28, y, `${run.stepReference}.${name}`, { size: 14, color: COLORS.lightBlue, family: MONO }));
    parts.push(text(230, y, truncate(value, 140), { size: 14, color: THEME.text, family: MONO }));
  });
  return parts;
}

/** Builds the SVG document of the log view. */
export function logViewSvg(run: CapturedRun): string {
  const capacity = Math.floor((HEIGHT - FOOTER_HEIGHT - LOG_TOP - 8) / LINE_HEIGHT);
  const rows = selectRows(run.log, capacity);
  const body = [...header(run)];

  rows.forEach((row, index) => {
    const y = LOG_TOP + (index + 1) * LINE_HEIGHT - 4;
    if (row.kind === 'elision') {
      body.push(`<rect x="0" y="${y - LINE_HEIGHT + 4}" width="${WIDTH}" height="${LINE_HEIGHT}" fill="${THEME.elision}"/>`);
      body.push(text(WIDTH / 2, y, `⋯  ${row.count} more lines of the kaniko log  ⋯`, { size: 12.5, color: THEME.dim, anchor: 'middle', family: SANS }));
      return;
    }
    body.push(text(GUTTER_WIDTH, y, String(row.number), { size: FONT_SIZE, color: THEME.gutter, anchor: 'end', family: MONO }));
    body.push(logLine(y, row.text));
  });

  body.push(...footer(run));
  return svgDocument(body, THEME.page);
}
