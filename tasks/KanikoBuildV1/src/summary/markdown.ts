// Writes the step's summary as markdown, from the facts a RunReport collected. Pure: tested
// without an agent. Every text that a user or the cluster controls is escaped.
import { formatBytes, formatDuration } from '../format';
import { loc } from '../messages';
import { codeSpan } from './code-span';
import { registryPointer } from './registry-link';
import { PHASES, type Phase, type PhaseTime, type SummaryFacts } from './run-report';

const PHASE_LABELS: Record<Phase, string> = {
  validation: 'SummaryPhaseValidation',
  upload: 'SummaryPhaseUpload',
  scheduling: 'SummaryPhaseScheduling',
  start: 'SummaryPhaseStart',
  build: 'SummaryPhaseBuild',
  cleanup: 'SummaryPhaseCleanup',
};

/** Returns the summary's markdown. */
export function renderSummary(facts: SummaryFacts): string {
  const lines = [resultLine(facts), '', ...factLines(facts), '', ...phaseTable(facts)];
  return `${lines.join('\n')}\n`;
}

/**
 * Says how the run ended. A failure names the phase it stopped in but not the error message:
 * the agent masks secrets in the log but not in summary files, and failure messages can quote
 * the build's own output.
 */
function resultLine(facts: SummaryFacts): string {
  if (facts.result === 'Succeeded') {
    // Without a digest the build ran with noPush, and no registry has the image.
    return facts.digest ? loc('SummarySucceeded', codeSpan(`${facts.repository}@${facts.digest}`)) : loc('SummarySucceededNoPush');
  }
  const stopped = stoppedPhase(facts.phases);
  const label = stopped ? phaseLabel(stopped, facts) : undefined;
  if (facts.result === 'Canceled') return label ? loc('SummaryCanceledIn', label) : loc('SummaryCanceled');
  // The build log and the pod's events exist only once the pod was created.
  const where = facts.pod ? loc('SummaryFailedDetailsPod') : loc('SummaryFailedDetails');
  return `${label ? loc('SummaryFailedIn', label) : loc('SummaryFailed')} ${where}`;
}

/**
 * Returns the phase the run stopped in: the first unfinished one in PHASES order, else the last
 * one before the cleanup, such as a build whose container ended with an error. With the direct
 * delivery a broken stream leaves the build unfinished too, and the stream is the cause.
 */
function stoppedPhase(phases: PhaseTime[]): Phase | undefined {
  const candidates = phases.filter((time) => time.phase !== 'cleanup').sort((a, b) => PHASES.indexOf(a.phase) - PHASES.indexOf(b.phase));
  return (candidates.find((time) => !time.finished) ?? candidates.at(-1))?.phase;
}

function factLines(facts: SummaryFacts): string[] {
  const lines = [
    item('SummaryRepository', codeSpan(facts.repository)),
    item('SummaryTags', facts.tags.map(codeSpan).join(', ')),
  ];
  if (facts.digest) {
    lines.push(item('SummaryDigest', codeSpan(facts.digest)));
    lines.push(item('SummaryImageName', codeSpan(`${facts.repository}@${facts.digest}`)));
  }
  lines.push(item('SummaryContext', contextText(facts)));
  const upload = uploadText(facts);
  if (upload) lines.push(item('SummaryUpload', upload));
  if (facts.pod) {
    const pod = codeSpan(`${facts.pod.namespace}/${facts.pod.name}`);
    lines.push(item('SummaryPod', facts.pod.node ? loc('SummaryPodOnNode', pod, codeSpan(facts.pod.node)) : pod));
  }
  const registry = registryPointer(facts.repository, facts.digest);
  if (registry) lines.push(item('SummaryRegistry', registry));
  return lines;
}

function contextText(facts: SummaryFacts): string {
  const { directory, transfer } = facts.context;
  if (!transfer) return codeSpan(directory);
  return loc('SummaryContextSize', codeSpan(directory), transfer.files, formatBytes(transfer.contentBytes), formatBytes(transfer.archiveBytes));
}

function uploadText(facts: SummaryFacts): string | undefined {
  const { blob, transfer, delivery } = facts.context;
  if (!transfer) return undefined;
  if (delivery === 'direct') return loc('SummaryStreamed', formatBytes(transfer.uploadedBytes));
  if (!blob) return undefined;
  const blobName = codeSpan(`${blob.container}/${blob.name}`);
  const account = codeSpan(blob.account);
  return transfer.reused
    ? loc('SummaryUploadSkipped', blobName, account)
    : loc('SummaryUploaded', formatBytes(transfer.uploadedBytes), blobName, account);
}

function phaseTable(facts: SummaryFacts): string[] {
  const rows = facts.phases.map((time) => {
    const duration = formatDuration(time.milliseconds);
    return `| ${phaseLabel(time.phase, facts)} | ${time.finished ? duration : loc('SummaryUnfinished', duration)} |`;
  });
  return [
    `| ${loc('SummaryPhase')} | ${loc('SummaryTime')} |`,
    '| --- | ---: |',
    ...rows,
    `| **${loc('SummaryTotal')}** | **${formatDuration(facts.totalMilliseconds)}** |`,
  ];
}

/** Names a phase; the upload and the pod's start differ by how the context reaches kaniko. */
function phaseLabel(phase: Phase, facts: SummaryFacts): string {
  const { delivery } = facts.context;
  if (phase === 'upload' && delivery === 'direct') return loc('SummaryPhaseStream');
  // Only with sasDownload does an init container download the context before kaniko starts.
  if (phase === 'start' && delivery === 'sasDownload') return loc('SummaryPhaseStartDownload');
  return loc(PHASE_LABELS[phase]);
}

function item(labelKey: string, value: string): string {
  return `- **${loc(labelKey)}:** ${value}`;
}
