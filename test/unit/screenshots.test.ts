// Checks the Marketplace screenshots that vss-extension.json lists, and the pure parts of their
// generator in tools/screenshots/: the choice of log rows and the Markdown parsing.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { selectRows } from '../../tools/screenshots/log-view';
import { parseInline, parseMarkdown, summarySvg } from '../../tools/screenshots/summary-view';

const root = path.join(__dirname, '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'vss-extension.json'), 'utf8')) as { screenshots?: { path: string }[] };
const screenshots = (manifest.screenshots ?? []).map((screenshot) => screenshot.path);

/** Returns the width and height stored in a PNG file's IHDR chunk. */
function pngSize(file: string): { width: number; height: number } {
  const data = fs.readFileSync(file);
  assert.equal(data.subarray(0, 8).toString('hex'), '89504e470d0a1a0a', `${file} is not a PNG file`);
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}

describe('marketplace screenshots', () => {
  it('are listed in vss-extension.json', () => {
    assert.ok(screenshots.length >= 2, `vss-extension.json lists ${screenshots.length} screenshots`);
  });

  it('are 1366x768 PNG files', () => {
    for (const screenshot of screenshots) {
      assert.deepEqual(pngSize(path.join(root, screenshot)), { width: 1366, height: 768 }, screenshot);
    }
  });

  it('are shown in overview.md', () => {
    const overview = fs.readFileSync(path.join(root, 'overview.md'), 'utf8');
    for (const screenshot of screenshots) {
      assert.ok(overview.includes(`](${screenshot})`), `overview.md does not show ${screenshot}`);
    }
  });

  it('include every screenshot in images/', () => {
    const files = fs.readdirSync(path.join(root, 'images')).filter((name) => name.startsWith('screenshot-'));
    for (const file of files) {
      assert.ok(screenshots.includes(`images/${file}`), `images/${file} is not listed in vss-extension.json`);
    }
  });
});

describe('log view rows', () => {
  const kanikoLines = Array.from({ length: 30 }, (_, index) => `time="t" level=info msg="step ${index + 1}"`);
  const log = [
    'first line',
    '##[group]Upload the build context',
    'uploaded',
    '##[endgroup]',
    '##[group]kaniko build log (pod ns/pod)',
    ...kanikoLines,
    '##[endgroup]',
    '##[group]Delete what the build created',
    'deleted',
    '##[endgroup]',
    'last line',
  ];
  const shownCount = log.filter((line) => !line.startsWith('##[endgroup]')).length;

  it('keeps every line that fits', () => {
    const rows = selectRows(log, 100);
    assert.equal(rows.length, shownCount, 'the rows should be every line but ##[endgroup]');
    assert.ok(rows.every((row) => row.kind === 'line'));
  });

  it('shortens the kaniko log to fit', () => {
    const rows = selectRows(log, 20);
    assert.equal(rows.length, 20);
    const elisions = rows.filter((row) => row.kind === 'elision');
    assert.equal(elisions.length, 1);
    const shownLines = rows.filter((row) => row.kind === 'line').length;
    assert.equal(shownLines + (elisions[0].kind === 'elision' ? elisions[0].count : 0), shownCount);

    const texts = rows.map((row) => (row.kind === 'line' ? row.text : ''));
    for (const kept of ['first line', 'uploaded', 'deleted', 'last line', 'time="t" level=info msg="step 30"']) {
      assert.ok(texts.includes(kept), `the rows lack "${kept}"`);
    }
  });

  it('numbers rows by their log line', () => {
    const rows = selectRows(log, 20);
    const last = rows.at(-1)!;
    assert.equal(last.kind === 'line' ? last.number : -1, log.length);
  });

  it('rejects a log that cannot fit', () => {
    assert.throws(() => selectRows(log, 8), /too many for 8 rows/);
  });
});

describe('summary Markdown', () => {
  const markdown = [
    '## Kaniko build',
    '',
    '**Succeeded**: pushed `repo:1`.',
    'Second line of the paragraph.',
    '',
    '| Name | Value |',
    '| --- | --- |',
    '| Image | `repo@sha256:abc` |',
    '| Tags | 1, latest |',
    '',
    '- first item',
    '* second item',
    '',
    '```',
    'code line',
    '```',
  ].join('\n');

  it('parses each block kind', () => {
    assert.deepEqual(parseMarkdown(markdown), [
      { kind: 'heading', level: 2, text: 'Kaniko build' },
      { kind: 'paragraph', text: '**Succeeded**: pushed `repo:1`. Second line of the paragraph.' },
      { kind: 'table', header: ['Name', 'Value'], rows: [['Image', '`repo@sha256:abc`'], ['Tags', '1, latest']] },
      { kind: 'list', items: ['first item', 'second item'] },
      { kind: 'code', lines: ['code line'] },
    ]);
  });

  it('parses inline styles', () => {
    assert.deepEqual(parseInline('a **b** `c` [d](https://example.invalid) e'), [
      { text: 'a ', style: 'plain' },
      { text: 'b', style: 'bold' },
      { text: ' ', style: 'plain' },
      { text: 'c', style: 'code' },
      { text: ' ', style: 'plain' },
      { text: 'd', style: 'link' },
      { text: ' e', style: 'plain' },
    ]);
  });

  it('renders escaped text', () => {
    const svg = summarySvg('Kaniko build', '## A <b> & c\n\nText', 'Run 1');
    assert.match(svg, /A &lt;b&gt; &amp; c/);
    assert.ok(!svg.includes('<b>'), 'the Markdown text reached the SVG unescaped');
  });

  it('rejects a summary that does not fit', () => {
    const long = Array.from({ length: 60 }, (_, index) => `- item ${index}`).join('\n');
    assert.throws(() => summarySvg('Kaniko build', long, 'Run 1'), /does not fit in 1366x768/);
  });
});
