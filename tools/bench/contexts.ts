// Generates the benchmark's build contexts. One seed always gives the same files, so that runs
// on different machines or branches pack the same bytes. At `scale` 1 the contexts have their
// full sizes; `--quick` and the tests use a small scale.
import { createCipheriv, createHash } from 'node:crypto';
import { mkdir, open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SeededRandom } from '../reliability/random';
import { logLines, sourceLines, type LineSource } from './text';

export const CONTEXT_NAMES = ['small-files', 'large-compressible', 'mixed-500mb'] as const;
export type ContextName = (typeof CONTEXT_NAMES)[number];

export interface GeneratedContext {
  name: ContextName;
  dir: string;
  /** Regular files written, the Dockerfile included. */
  files: number;
  /** Bytes of all files. */
  bytes: number;
}

export interface GenerateOptions {
  seed: number;
  /** Fraction of the full size, greater than 0 and at most 1. */
  scale: number;
}

const KiB = 1024;
const MiB = 1024 * KiB;
const KB = 1000;
const MB = 1000 * KB;
const DOCKERFILE = 'FROM alpine:3.20\nCOPY . /app\n';
const AREAS = ['api', 'core', 'web', 'jobs', 'shared', 'tools', 'models', 'plugins'];
const FOLDERS = ['auth', 'billing', 'cache', 'config', 'events', 'export', 'orders', 'search', 'storage', 'users'];
const EXTENSIONS = ['ts', 'ts', 'js', 'py', 'go', 'json', 'md', 'css'];

/** Writes the context `name` into `parentDir/name` and returns what it wrote. */
export async function generateContext(name: ContextName, parentDir: string, options: GenerateOptions): Promise<GeneratedContext> {
  if (!(options.scale > 0 && options.scale <= 1)) throw new Error(`The scale must be greater than 0 and at most 1, not ${options.scale}.`);
  const writer = new ContextWriter(join(parentDir, name), options.seed);
  const random = new SeededRandom(options.seed);
  await writer.exact('Dockerfile', DOCKERFILE);
  if (name === 'small-files') await writeSourceTree(writer, random, Math.round(30_000 * options.scale));
  if (name === 'large-compressible') await writeLargeText(writer, random, options.scale);
  if (name === 'mixed-500mb') await writeMixed(writer, random, options.scale);
  return { name, dir: writer.root, files: writer.files, bytes: writer.bytes };
}

/** Source-like files of a few hundred bytes to a few KiB, in folders one to three levels below `src/`. */
async function writeSourceTree(writer: ContextWriter, random: SeededRandom, count: number): Promise<void> {
  for (let index = 0; index < count; index += 1) {
    const folders = ['src', random.pick(AREAS), ...Array.from({ length: random.int(0, 2) }, () => random.pick(FOLDERS))];
    const path = `${folders.join('/')}/${random.pick(FOLDERS)}-${index}.${random.pick(EXTENSIONS)}`;
    await writer.text(path, logUniform(random, 200, 6 * KiB), sourceLines(random));
  }
}

/** Four files of 64 MiB at full scale: two service logs and two generated JavaScript bundles. */
async function writeLargeText(writer: ContextWriter, random: SeededRandom, scale: number): Promise<void> {
  const size = Math.round(64 * MiB * scale);
  await writer.text('logs/service-1.log', size, logLines(random));
  await writer.text('logs/service-2.log', size, logLines(random));
  await writer.text('generated/bundle-1.js', size, sourceLines(random));
  await writer.text('generated/bundle-2.js', size, sourceLines(random));
}

/**
 * 500 MB at full scale. It has 4000 source files and 150 MB of random bytes in files of 20 KB to
 * 8 MB, like images and packed binaries. Logs and generated code in files of 1 to 32 MiB fill the rest.
 */
async function writeMixed(writer: ContextWriter, random: SeededRandom, scale: number): Promise<void> {
  const total = Math.round(500 * MB * scale) + writer.bytes;
  await writeSourceTree(writer, random, Math.round(4000 * scale));
  for (const [index, size] of splitSizes(random, Math.round(150 * MB * scale), 20 * KB * scale, 8 * MB * scale).entries()) {
    await writer.random(index % 3 === 2 ? `vendor/lib-${index}.so` : `assets/images/image-${index}.png`, size);
  }
  for (const [index, size] of splitSizes(random, total - writer.bytes, MiB * scale, 32 * MiB * scale).entries()) {
    if (index % 2 === 0) await writer.text(`logs/archive-${index}.log`, size, logLines(random));
    else await writer.text(`generated/chunk-${index}.js`, size, sourceLines(random));
  }
}

/** Splits `total` bytes into sizes drawn between `min` and `max`; the last one takes the rest. */
export function splitSizes(random: SeededRandom, total: number, min: number, max: number): number[] {
  const sizes: number[] = [];
  let remaining = Math.max(0, total);
  while (remaining > 0) {
    const size = Math.min(remaining, random.int(Math.max(1, Math.round(min)), Math.max(1, Math.round(max))));
    sizes.push(size);
    remaining -= size;
  }
  return sizes;
}

/** Returns an integer between `min` and `max` whose logarithm is uniform, so small sizes are common. */
function logUniform(random: SeededRandom, min: number, max: number): number {
  return Math.round(Math.exp(Math.log(min) + random.next() * (Math.log(max) - Math.log(min))));
}

/** Writes files below `root` and counts them. */
class ContextWriter {
  files = 0;
  bytes = 0;
  private readonly folders = new Set<string>();

  constructor(readonly root: string, private readonly seed: number) {}

  async exact(path: string, content: string): Promise<void> {
    const bytes = Buffer.from(content);
    await this.write(path, bytes.length, () => bytes);
  }

  /** Writes exactly `size` bytes of ASCII lines from `nextLine`. */
  async text(path: string, size: number, nextLine: LineSource): Promise<void> {
    await this.write(path, size, (length) => {
      let chunk = '';
      while (chunk.length < length) chunk += `${nextLine()}\n`;
      return Buffer.from(chunk.slice(0, length), 'latin1');
    });
  }

  /**
   * Writes `size` pseudo-random bytes: AES-128-CTR over zeros, keyed by the seed and the path,
   * which is as incompressible as real random data and much faster than a JavaScript generator.
   */
  async random(path: string, size: number): Promise<void> {
    const key = createHash('sha256').update(`${this.seed}/${path}`).digest().subarray(0, 16);
    const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
    await this.write(path, size, (length) => cipher.update(Buffer.alloc(length)));
  }

  private async write(path: string, size: number, nextChunk: (length: number) => Buffer): Promise<void> {
    const file = join(this.root, path);
    const folder = dirname(file);
    if (!this.folders.has(folder)) {
      await mkdir(folder, { recursive: true });
      this.folders.add(folder);
    }
    const handle = await open(file, 'w');
    try {
      for (let written = 0; written < size;) {
        const chunk = nextChunk(Math.min(size - written, 4 * MiB));
        await handle.write(chunk);
        written += chunk.length;
      }
    } finally {
      await handle.close();
    }
    this.files += 1;
    this.bytes += size;
  }
}
