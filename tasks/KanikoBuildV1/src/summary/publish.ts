// Writes the step's summary file into the job's temporary folder and attaches it to the step
// with `##vso[task.uploadsummary]`, so the pipeline run shows it on its Extensions tab.
import * as tl from 'azure-pipelines-task-lib/task';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loc } from '../messages';
import type { RunIdentity } from '../settings/types';
import { renderSummary } from './markdown';
import type { RunReport, RunResult } from './run-report';

/** The maximum length of the summary's file name, in characters; file systems allow 255 bytes. */
const MAX_TITLE_LENGTH = 100;
const DEFAULT_TITLE = 'Kaniko build';

/**
 * Writes and attaches the summary, unless the run ended before its settings were valid or the
 * agent gave no temporary folder. A failure to write it is a warning, because the build's result
 * does not depend on it.
 */
export function publishSummary(report: RunReport, result: RunResult): void {
  const facts = report.facts(result);
  const run = report.run;
  if (!facts || !run?.tempDirectory) {
    tl.debug('No step summary: the run ended before its settings were valid, or Agent.TempDirectory is not set.');
    return;
  }
  const file = summaryFile(run);
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, renderSummary(facts), 'utf8');
  } catch (error) {
    tl.warning(loc('SummaryWriteFailed', file, (error as Error).message));
    return;
  }
  // The agent uploads the file after this command, from a queue, so the file stays where it is.
  tl.uploadSummary(file);
}

/**
 * Returns the summary's path. The agent names the attachment after the file (Path.GetFileName),
 * so the file is named after the step's display name, in a folder of the step's own.
 */
export function summaryFile(run: Pick<RunIdentity, 'tempDirectory' | 'stepId' | 'stepDisplayName'>): string {
  const folder = `kaniko-build-${run.stepId ?? randomUUID()}`;
  return path.join(run.tempDirectory ?? '', folder, `${summaryTitle(run.stepDisplayName)}.md`);
}

/**
 * Makes a display name a file name on every agent OS: runs of white space become one space,
 * characters that Windows or Linux reject in file names become `-`, and trailing dots and
 * spaces, which Windows drops, go.
 */
export function summaryTitle(displayName: string | undefined): string {
  // eslint-disable-next-line no-control-regex -- control characters are invalid in Windows file names
  const safe = (displayName ?? '').replace(/\s+/g, ' ').replace(/[\u0000-\u001f<>:"/\\|?*]/g, '-').trim();
  const title = safe.slice(0, MAX_TITLE_LENGTH).replace(/[. ]+$/, '');
  return title || DEFAULT_TITLE;
}
