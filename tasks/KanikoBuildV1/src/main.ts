// The task's run, step by step. Nothing is created in the cluster or in storage before every
// input and connection has been validated; everything created is deleted at the end.
import * as tl from 'azure-pipelines-task-lib/task';
import { randomBytes } from 'node:crypto';
import { Cleanup, CLEANUP_DONE_VARIABLE } from './cleanup';
import { inGroup } from './log';
import { loc, taskNameAndVersion } from './messages';
import { readContext } from './phases/read-context';
import { parseSettings } from './settings/parse';
import { readRun } from './settings/read';
import type { Settings } from './settings/types';
import type { RunReport } from './summary/run-report';

export interface RunOutcome {
  succeeded: boolean;
  message: string;
}

/** Runs the build, recording in `report` what the step's summary shows. */
export async function run(signal: AbortSignal, report: RunReport): Promise<RunOutcome> {
  // Nothing exists yet, so the post-job step has nothing to look for unless a create starts below.
  tl.setTaskVariable(CLEANUP_DONE_VARIABLE, 'true');

  // Read and validate every input and connection, and log what the run builds.
  const parsed = parseSettings(readRun());
  report.recordSettings(parsed);
  console.log(startingMessage(parsed));
  if (parsed.anonymousPulls.length > 0) {
    console.log(loc('AnonymousPulls', parsed.anonymousPulls.map(({ registry, image }) => `${registry} (${image})`).join(', ')));
  }

  // Read the build context, for the SHA-256 that names its blob when uploaded contexts are kept.
  // It needs no network, so it runs while the calls below wait for Azure and the cluster.
  const reading = readContext(parsed);
  reading.catch(() => undefined); // Awaited below; a failure before that is not unhandled.

  // Load the remaining steps with their Kubernetes and Azure clients only now (see steps.ts).
  const {
    buildPlan, checkAccess, checkCluster, checkPodTemplate, checkServiceAccount, createBlobStore, createBuildNamespace, createBuildPod,
    createClusterApi, deleteUnusedContexts, followBuild, getDelegationKey, resolveKubeconfig, resolveRegistry, streamContext,
    uploadContext, withRetries,
  } = await import('./steps');

  // Get the credentials that Azure issues at run time, and plan what the run creates.
  const kubeconfig = await resolveKubeconfig(parsed.cluster, signal);
  const settings = {
    ...parsed,
    registry: await resolveRegistry(parsed.registry, signal),
    pullRegistries: await Promise.all(parsed.pullRegistries.map((registry) => resolveRegistry(registry, signal))),
  };
  const { storage } = settings;
  const store = storage ? createBlobStore(storage) : undefined;
  const now = new Date();
  const delegationKey = storage && store ? await getDelegationKey(settings, storage, store, now, signal) : undefined;
  const context = await reading;
  const plan = buildPlan(settings, randomBytes(4).toString('hex'), now, delegationKey, context.digest?.sha256);
  for (const value of plan.derivedSecrets) tl.setSecret(value);
  tl.debug(`plan: pod ${plan.namespace}/${plan.name}, blob ${plan.blobName}, destinations ${plan.destinations.join(' ')}`);

  // Check that the cluster responds and accepts the connection in the namespace, and that the
  // connection's identity has every permission the run needs.
  const cluster = withRetries(createClusterApi(kubeconfig), { signal });
  await checkCluster(cluster, plan, signal);
  const access = await checkAccess(cluster, settings, plan, signal);

  // Check the pod's service account, and its workload identity annotation when kaniko uses it.
  if (access.allows('serviceAccountCheck')) await checkServiceAccount(cluster, settings.pod, signal);
  await checkPodTemplate(cluster, settings.pod, plan, signal);

  report.mark('validation', true);
  const cleanup = new Cleanup();
  tl.setTaskVariable(CLEANUP_DONE_VARIABLE, 'false');
  let pruning: ReturnType<typeof deleteUnusedContexts> | undefined;
  try {
    // Pack the build context and upload it, except with the direct delivery, then delete kept
    // contexts that no run used for their retention days while the build runs.
    if (storage && store) {
      report.mark('upload');
      report.recordBlob(plan.blobName);
      report.recordTransfer(await inGroup(loc('GroupUpload'), () => uploadContext(settings, storage, plan, store, context, cleanup, signal)));
      report.mark('upload', true);
      if (plan.keepBlob) pruning = deleteUnusedContexts(store, storage, now, signal);
    }

    // Create the build's own namespace when asked to, then the registry and storage Secrets and the kaniko pod.
    report.mark('scheduling');
    await inGroup(loc('GroupCreatePod'), async () => {
      await createBuildNamespace(cluster, plan, cleanup, signal);
      await createBuildPod(cluster, plan, cleanup, signal);
    });
    report.recordPod(plan.namespace, plan.name);

    // Follow the build and stream its log. With the direct delivery, stream the archive into
    // kaniko's stdin as soon as its container runs.
    let streaming: Promise<Error | undefined> | undefined;
    const startStreaming = (): void => {
      // kaniko would wait for its input until the build timeout, so a failed stream stops the pod.
      report.mark('upload');
      streaming = streamContext(cluster, settings, plan, context.entries, signal).then((transfer) => {
        report.recordTransfer(transfer);
        report.mark('upload', true);
        return undefined;
      }, async (error: unknown) => {
        await cluster.deletePod(plan.namespace, plan.name).catch(() => undefined);
        return error as Error;
      });
    };
    const followOptions = {
      timeoutSeconds: settings.pod.timeoutSeconds,
      schedulingTimeoutSeconds: settings.pod.schedulingTimeoutSeconds,
      readLog: access.allows('log'),
      onContainerStarted: storage ? undefined : startStreaming,
      onProgress: report.recordProgress.bind(report),
    };
    const build = await inGroup(loc('GroupBuildLog', plan.namespace, plan.name), () => followBuild(cluster, plan, followOptions, signal));
    const streamError = await streaming;

    // Report the image, or why the build failed. After a broken stream kaniko may have read a
    // shorter archive that still ends cleanly, so its result is never reported as a success.
    // NOTE: no test reaches the branch where kaniko succeeded after a broken stream, because the
    // local executor fails on the cut gzip member that the stream ends with.
    const failure = (message: string): RunOutcome => ({
      succeeded: false, message: [message, section('LastLogLines', build.lastLines), section('RecentEvents', build.events)].join(''),
    });
    if (streamError) {
      const outcome = build.verdict.kind === 'succeeded'
        ? loc('StreamBrokenAfterPush', plan.destinations.join(', '))
        : loc('StreamBrokenPodStopped', plan.namespace, plan.name);
      return failure(`${streamError.message}\n${outcome}`);
    }
    if (build.verdict.kind === 'succeeded') {
      tl.setVariable('imageDigest', build.verdict.digest, false, true);
      // kaniko writes the digest with --no-push too, but no registry has the image under that name.
      if (settings.kaniko.noPush) {
        return { succeeded: true, message: loc('BuildSucceededNoPush', settings.image.repository, build.verdict.digest) };
      }
      const imageName = `${settings.image.repository}@${build.verdict.digest}`;
      tl.setVariable('imageName', imageName, false, true);
      report.recordDigest(build.verdict.digest);
      return { succeeded: true, message: loc('BuildSucceeded', plan.destinations.join(', '), imageName) };
    }
    return failure(build.verdict.kind === 'failed' ? build.verdict.message : loc('BuildUnfinished', plan.name));
  } finally {
    // Delete the pod, both Secrets, the blob and the build's own namespace, also after a failure
    // or a cancel, and tell the post-job step when nothing is left.
    report.mark('cleanup');
    const failed = cleanup.size > 0 ? await inGroup(loc('GroupCleanup'), () => cleanup.runAll()) : [];
    report.mark('cleanup', true);
    if (failed.length === 0) tl.setTaskVariable(CLEANUP_DONE_VARIABLE, 'true');
    const pruned = await pruning?.catch(() => undefined);
    if (pruned?.warning) tl.warning(pruned.message);
    else if (pruned) console.log(pruned.message);
  }
}

/** The run's first log line: the task's name and version, the image, the Dockerfile and the build context. */
function startingMessage(settings: Settings): string {
  const { name, version } = taskNameAndVersion();
  const { image, build } = settings;
  if (settings.kaniko.noPush) return loc('BuildStartingNoPush', name, version, image.repository, build.dockerfileDisplayPath, build.contextDir);
  return loc('BuildStarting', name, version, image.repository, image.tags.join(', '), build.dockerfileDisplayPath, build.contextDir);
}

function section(titleKey: string, lines: string[]): string {
  return lines.length ? `\n${loc(titleKey)}\n${lines.join('\n')}` : '';
}
