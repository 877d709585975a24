// Renders the Marketplace screenshots (1366x768 PNG) into images/ and prints their paths:
//   npm run build && npx tsx tools/screenshots/render.ts
// - screenshot-flow.png: what the task does, drawn in flow.ts;
// - screenshot-log.png: the step log of one run of the sample pipeline's step on the local
//   stand-ins, which this script starts and stops;
// - screenshot-summary.png: the Markdown summary that the same run uploaded with
//   `task.uploadsummary`. A run that uploads none leaves the file as it is.
// It needs rsvg-convert (`apt-get install librsvg2-bin`) and the fonts of fonts-noto-core and
// fonts-dejavu-core. Commit the PNGs, and list a new one in vss-extension.json and overview.md.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { captureSampleRun } from './capture';
import { flowSvg } from './flow';
import { logViewSvg } from './log-view';
import { summarySvg } from './summary-view';
import { renderPng } from './svg';

const IMAGES = path.resolve(__dirname, '..', '..', 'images');

function write(name: string, svg: string): void {
  const output = path.join(IMAGES, name);
  renderPng(svg, output);
  console.log(`wrote ${path.relative(process.cwd(), output)} (${fs.statSync(output).size} bytes)`);
}

async function main(): Promise<void> {
  write('screenshot-flow.png', flowSvg());

  const run = await captureSampleRun();
  if (run.result !== 'Succeeded') {
    throw new Error(`The sample run ended with ${run.result}, so its log would not show a build:\n${run.log.join('\n')}`);
  }
  write('screenshot-log.png', logViewSvg(run));

  const summary = run.summaries.find((candidate) => candidate.content !== undefined);
  if (!summary) {
    console.log('The run uploaded no summary, so screenshot-summary.png was not rendered.');
    return;
  }
  const title = path.basename(summary.path).replace(/\.md$/i, '');
  write('screenshot-summary.png', summarySvg(title, summary.content ?? '', `Run ${run.buildNumber}`));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
