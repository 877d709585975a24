// The seeded matrix of runs: builds that must succeed under API faults, builds that must fail
// each way a kaniko pod can fail, cancels at every phase, and runs in parallel in one namespace.
import type { FaultPlan } from '../local-cluster/index';
import { SeededRandom } from './random';

export type ScenarioKind = 'success' | 'failure' | 'cancel' | 'parallel';
export type FaultProfileName = keyof typeof FAULT_PROFILES;

/** Another client's action during the run, as a clean-up job or a storage lifecycle rule would do it. */
export type Interference = 'deleteStorageSecret' | 'deleteBlobAfterUpload';

export interface Scenario {
  /** Position in the matrix, from 1; also the run's Build.BuildId. */
  index: number;
  kind: ScenarioKind;
  /** A short description of the run, such as `failure: OOMKilled`. */
  title: string;
  files: Record<string, string>;
  /** Inputs that replace or add to the suite's defaults. */
  inputs: Record<string, string>;
  /** A wrong registry password, for push failures. */
  registryPassword?: string;
  /** Numbered lines the build prints; each must reach the step log once, in order. */
  markers: string[];
  expect: Expectation;
  cancel?: CancelTrigger;
  interference?: Interference;
}

export interface Expectation {
  result: 'Succeeded' | 'Failed' | 'Canceled';
  /** A pattern that the step's error messages must match, for an expected failure. */
  message?: RegExp;
  /** True when the build runs to its end, so every marker line must be in the log. */
  completeLog: boolean;
}

export interface CancelTrigger {
  phase: string;
  /** Cancels when a log line matches. */
  whenLine?: RegExp;
  /** Cancels this long after the start, when no line is given. */
  afterMs?: number;
}

/** A group of runs that start together under one fault plan. */
export interface Batch {
  profile: FaultProfileName;
  faults?: Omit<FaultPlan, 'seed' | 'users'>;
  scenarios: Scenario[];
}

export const FAULT_PROFILES = {
  none: {},
  errors: { errorBurst: { probability: 0.08, length: 2 } },
  // kube-apiserver's own 429 (max-in-flight, priority and fairness) is plain text with Retry-After: 1.
  throttling: { tooManyRequests: { probability: 0.1, retryAfterSeconds: 1, body: 'plainText' } },
  drops: { dropConnection: { probability: 0.06 } },
  slow: { slowResponse: { probability: 0.3, delayMs: 300 } },
  streams: {
    cutWatch: { probability: 0.5, minMs: 100, maxMs: 1500 },
    expireWatch: { probability: 0.25 },
    cutLog: { probability: 0.6, minBytes: 200, maxBytes: 4000 },
  },
  mixed: {
    errorBurst: { probability: 0.03, length: 2 },
    tooManyRequests: { probability: 0.04, retryAfterSeconds: 1 },
    dropConnection: { probability: 0.03 },
    slowResponse: { probability: 0.1, delayMs: 200 },
    cutWatch: { probability: 0.3, minMs: 100, maxMs: 2000 },
    expireWatch: { probability: 0.15 },
    cutLog: { probability: 0.4, minBytes: 200, maxBytes: 4000 },
  },
} satisfies Record<string, Omit<FaultPlan, 'seed' | 'users'>>;

const DELIVERIES = ['sasDownload', 'accountKey', 'direct'];
const PROFILE_NAMES = Object.keys(FAULT_PROFILES) as FaultProfileName[];
const FAULTY_PROFILES = PROFILE_NAMES.filter((name) => name !== 'none');

export interface MatrixSize {
  success: number;
  /** Runs per failure mode. */
  perFailure: number;
  /** Runs per cancel phase. */
  perCancel: number;
  parallel: number;
  /** Runs that start together, except the parallel group, which starts at once. */
  concurrency: number;
}

export const FULL: MatrixSize = { success: 80, perFailure: 6, perCancel: 8, parallel: 20, concurrency: 4 };
export const FAST: MatrixSize = { success: 3, perFailure: 1, perCancel: 1, parallel: 4, concurrency: 6 };

/** Builds the matrix for `seed`; the same seed and size always give the same runs in the same order. */
export function buildMatrix(seed: number, size: MatrixSize): Batch[] {
  const random = new SeededRandom(seed);
  const scenarios: Omit<Scenario, 'index'>[] = [];
  for (let i = 0; i < size.success; i += 1) scenarios.push(successScenario(random, 'success'));
  for (const mode of FAILURE_MODES) {
    for (let i = 0; i < size.perFailure; i += 1) scenarios.push(mode.build(random));
  }
  for (const phase of CANCEL_PHASES) {
    for (let i = 0; i < size.perCancel; i += 1) scenarios.push(phase.build(random));
  }
  shuffle(scenarios, random);

  let index = 0;
  const numbered = scenarios.map((scenario) => ({ ...scenario, index: (index += 1) }));
  const batches: Batch[] = [];
  for (let start = 0; start < numbered.length; start += size.concurrency) {
    const profile = random.chance(0.15) ? 'none' : random.pick(FAULTY_PROFILES);
    batches.push({ profile, faults: FAULT_PROFILES[profile], scenarios: numbered.slice(start, start + size.concurrency) });
  }
  if (size.parallel > 0) {
    const parallel = Array.from({ length: size.parallel }, () => ({ ...successScenario(random, 'parallel'), index: (index += 1) }));
    batches.push({ profile: 'mixed', faults: FAULT_PROFILES.mixed, scenarios: parallel });
  }
  return batches;
}

function successScenario(random: SeededRandom, kind: 'success' | 'parallel'): Omit<Scenario, 'index'> {
  const markers = markerLines(random.int(20, 250));
  const delivery = random.pick(DELIVERIES);
  return {
    kind,
    title: `${kind}: ${markers.length} log lines, ${delivery} delivery`,
    files: { Dockerfile: dockerfile(markers), 'app.txt': 'hello\n' },
    inputs: { contextDelivery: delivery },
    markers,
    expect: { result: 'Succeeded', completeLog: true },
  };
}

interface FailureMode {
  name: string;
  build: (random: SeededRandom) => Omit<Scenario, 'index'>;
}

/** The ways a build pod can end or never start that the local cluster produces. */
const FAILURE_MODES: FailureMode[] = [
  failure('image pull', () => ({ inputs: { executorImage: 'ghcr.io/osscontainertools/kaniko:v0.0.404' }, expect: /ImagePull|ErrImagePull/ })),
  failure('unschedulable', () => ({
    inputs: { cpuRequest: '64', cpuLimit: '64', schedulingTimeoutInMinutes: '1' }, expect: /Unschedulable|Insufficient cpu/,
  })),
  failure('RUN step exit code', (random, markers) => {
    const code = random.int(2, 120);
    return { files: { Dockerfile: `${dockerfile(markers)}\nRUN exit ${code}\n` }, expect: new RegExp(`\\b${code}\\b`), completeLog: true };
  }),
  failure('push permission', () => ({ registryPassword: 'wrong-registry-password', expect: /push/i })),
  failure('OOMKilled', (_random, markers) => ({
    inputs: { memoryRequest: '256Mi', memoryLimit: '256Mi' },
    files: { Dockerfile: `${dockerfile(markers)}\nRUN head -c 400M /dev/zero > /large-file\n` },
    expect: /OOMKilled/,
    completeLog: true,
  })),
  failure('node disk pressure', (_random, markers) => ({
    inputs: { memoryRequest: '512Mi', memoryLimit: '6Gi' },
    files: { Dockerfile: `${dockerfile(markers)}\nRUN head -c 1900M /dev/zero > /layer.bin\n` },
    expect: /Evicted|ephemeral-storage/,
    completeLog: true,
  })),
  failure('deadline', (_random, markers) => ({
    inputs: { buildTimeoutInMinutes: '1' },
    files: { Dockerfile: `${dockerfile(markers)}\nRUN sleep 3600\n` },
    expect: /DeadlineExceeded|timeout/i,
  })),
  failure('Secret deleted by another client', () => ({
    inputs: { contextDelivery: 'accountKey' }, interference: 'deleteStorageSecret', expect: /CreateContainerConfigError/,
  })),
  failure('context download', () => ({
    inputs: { contextDelivery: 'sasDownload' }, interference: 'deleteBlobAfterUpload', expect: /404|not found|22/i,
  })),
  failure('source context', () => ({
    inputs: { contextDelivery: 'accountKey' }, interference: 'deleteBlobAfterUpload', expect: /source context/i,
  })),
];

interface FailureParts {
  inputs?: Record<string, string>;
  files?: Record<string, string>;
  registryPassword?: string;
  interference?: Interference;
  expect: RegExp;
  completeLog?: boolean;
}

function failure(name: string, parts: (random: SeededRandom, markers: string[]) => FailureParts): FailureMode {
  return {
    name,
    build: (random) => {
      const markers = markerLines(random.int(5, 40));
      const built = parts(random, markers);
      return {
        kind: 'failure',
        title: `failure: ${name}`,
        files: built.files ?? { Dockerfile: dockerfile(markers) },
        inputs: built.inputs ?? {},
        registryPassword: built.registryPassword,
        interference: built.interference,
        markers,
        expect: { result: 'Failed', message: built.expect, completeLog: built.completeLog ?? false },
      };
    },
  };
}

interface CancelPhase {
  name: string;
  build: (random: SeededRandom) => Omit<Scenario, 'index'>;
}

/** Cancels at each phase of a run: before anything exists, during the upload, the pod's start, the build and the clean-up. */
const CANCEL_PHASES: CancelPhase[] = [
  cancelAt('start', (random) => ({ afterMs: random.int(100, 900) })),
  cancelAt('upload', () => ({ whenLine: /Upload the build context/ }), { contextDelivery: 'sasDownload' }),
  cancelAt('pod creation', () => ({ whenLine: /Create the build pod/ })),
  cancelAt('pending pod', () => ({ whenLine: /is waiting: Unschedulable/ }), { cpuRequest: '64', cpuLimit: '64' }),
  cancelAt('build log', (_random, markers) => ({ whenLine: new RegExp(`^${markers[Math.floor(markers.length / 2)]}$`) })),
  cancelAt('clean-up', () => ({ whenLine: /Delete what the build created/ })),
];

function cancelAt(
  name: string, trigger: (random: SeededRandom, markers: string[]) => Omit<CancelTrigger, 'phase'>, inputs: Record<string, string> = {},
): CancelPhase {
  return {
    name,
    build: (random) => {
      const markers = markerLines(random.int(20, 120));
      return {
        kind: 'cancel',
        title: `cancel: ${name}`,
        files: { Dockerfile: dockerfile(markers) },
        inputs: { contextDelivery: random.pick(DELIVERIES), ...inputs },
        markers,
        cancel: { phase: name, ...trigger(random, markers) },
        expect: { result: 'Canceled', completeLog: false },
      };
    },
  };
}

function markerLines(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `marker-${String(i + 1).padStart(4, '0')}`);
}

/** Returns a Dockerfile whose RUN steps print the marker lines, 25 to a step. */
function dockerfile(markers: string[]): string {
  const lines = ['FROM alpine:3.20', 'COPY app.txt /app/'];
  for (let start = 0; start < markers.length; start += 25) {
    lines.push(`RUN ${markers.slice(start, start + 25).map((marker) => `echo ${marker}`).join(' && ')}`);
  }
  return `${lines.join('\n')}\n`;
}

function shuffle<T>(items: T[], random: SeededRandom): void {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = random.int(0, i);
    [items[i], items[j]] = [items[j], items[i]];
  }
}
