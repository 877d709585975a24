// Renders the extension icon (128x128) and the task icon (32x32) from design.mjs to PNG
// with rsvg-convert (Debian package librsvg2-bin), which draws SVG masks with
// anti-aliasing and keeps the transparent background. Run it after changing design.mjs and
// commit the PNGs it writes:
//   node tools/icons/render.mjs
// Set RSVG_CONVERT to the program's path when it is not on PATH.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LAYOUTS, iconSvg } from './design.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const rsvgConvert = process.env.RSVG_CONVERT || 'rsvg-convert';

const ICONS = [
  { layout: LAYOUTS.extension, size: 128, output: join(root, 'images', 'extension-icon.png') },
  { layout: LAYOUTS.task, size: 32, output: join(root, 'tasks', 'KanikoBuildV1', 'icon.png') },
];

const PNG_SIGNATURE = '89504e470d0a1a0a';
const PNG_COLOR_TYPE_RGBA = 6;

/** Throws unless the file is an RGBA PNG of `size` x `size` pixels. */
function checkPng(path, size) {
  const data = readFileSync(path);
  if (data.subarray(0, 8).toString('hex') !== PNG_SIGNATURE) throw new Error(`${path} is not a PNG file.`);

  // The IHDR chunk follows the signature: length, type, width, height, bit depth, colour type.
  const width = data.readUInt32BE(16);
  const height = data.readUInt32BE(20);
  const colorType = data[25];
  if (width !== size || height !== size) {
    throw new Error(`${path} is ${width}x${height} pixels, expected ${size}x${size}.`);
  }
  if (colorType !== PNG_COLOR_TYPE_RGBA) {
    throw new Error(`${path} has PNG colour type ${colorType}, expected ${PNG_COLOR_TYPE_RGBA} (RGBA).`);
  }
}

function render(icon) {
  const svg = iconSvg(icon.layout, icon.size);
  const args = ['--width', String(icon.size), '--height', String(icon.size), '--output', icon.output];
  try {
    execFileSync(rsvgConvert, args, { input: svg, stdio: ['pipe', 'inherit', 'inherit'] });
  } catch (error) {
    if (error.code === 'ENOENT') {
      throw new Error(
        `${rsvgConvert} was not found. Install it with \`apt-get install librsvg2-bin\` ` +
          'or set RSVG_CONVERT to its path.',
        { cause: error },
      );
    }
    throw new Error(`${rsvgConvert} failed to render ${icon.output}.`, { cause: error });
  }
  checkPng(icon.output, icon.size);
  console.log(`wrote ${icon.output} (${icon.size}x${icon.size})`);
}

for (const icon of ICONS) render(icon);
