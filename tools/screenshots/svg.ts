// SVG helpers and the colours, fonts and size that the Marketplace screenshots share, and the
// rendering to PNG with rsvg-convert (Debian package librsvg2-bin). The fonts come from the
// Debian packages fonts-noto-core (Noto Sans) and fonts-dejavu-core (DejaVu Sans Mono).
import { execFileSync } from 'node:child_process';

/** The Marketplace's screenshot size in pixels. */
export const WIDTH = 1366;
export const HEIGHT = 768;

export const SANS = "'Noto Sans', 'DejaVu Sans', sans-serif";
export const MONO = "'DejaVu Sans Mono', monospace";
/** Advance width of a DejaVu Sans Mono character, as a fraction of the font size. */
export const MONO_ADVANCE = 0.602;

/** The extension icon's colours (tools/icons/design.mjs) and neutral tones. */
export const COLORS = {
  blue: '#1F78CC',
  lightBlue: '#63B7F4',
  darkBlue: '#0D4F9E',
  orange: '#F28C1B',
  green: '#2E9E5B',
  ink: '#1B2733',
  muted: '#5B6B7B',
  line: '#D5DEE8',
  paper: '#F5F8FB',
  white: '#FFFFFF',
};

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export interface TextOptions {
  size: number;
  color?: string;
  weight?: 'normal' | 'bold';
  family?: string;
  anchor?: 'start' | 'middle' | 'end';
}

/** Returns a <text> element with `content` escaped. */
export function text(x: number, y: number, content: string, options: TextOptions): string {
  const { size, color = COLORS.ink, weight = 'normal', family = SANS, anchor = 'start' } = options;
  return (
    `<text x="${x}" y="${y}" font-family="${family}" font-size="${size}" font-weight="${weight}" ` +
    `fill="${color}" text-anchor="${anchor}">${escapeXml(content)}</text>`
  );
}

/** Wraps SVG elements into a document of the screenshot size. */
export function svgDocument(body: string[], background: string): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="${background}"/>`,
    ...body,
    '</svg>',
  ].join('\n');
}

/** Renders an SVG document to a PNG file of the screenshot size. Set RSVG_CONVERT to use another binary. */
export function renderPng(svg: string, output: string): void {
  const program = process.env.RSVG_CONVERT || 'rsvg-convert';
  const args = ['--width', String(WIDTH), '--height', String(HEIGHT), '--background-color', 'white', '--output', output];
  try {
    execFileSync(program, args, { input: svg, stdio: ['pipe', 'inherit', 'inherit'] });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`${program} was not found. Install it with \`apt-get install librsvg2-bin\` or set RSVG_CONVERT.`, { cause: error });
    }
    throw new Error(`${program} failed to render ${output}.`, { cause: error });
  }
}
