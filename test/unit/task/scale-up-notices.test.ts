// ScaleUpNotices: the cluster autoscaler's decision, printed once while the pod does not fit.
import { strict as assert } from 'node:assert';
import type { CoreV1Event } from '@kubernetes/client-node';
import { ScaleUpNotices } from '../../../tasks/KanikoBuildV1/src/phases/scale-up-notices';
import { clusterApiWith } from './support/cluster-api';
import { captureStdout } from './support/stdout';

const TARGET = { namespace: 'builds', name: 'kaniko-1' };

function event(second: number, reason: string, message: string): CoreV1Event {
  return {
    metadata: { name: `kaniko-1.${second}` }, involvedObject: { kind: 'Pod', name: 'kaniko-1' },
    type: 'Normal', reason, message, lastTimestamp: new Date(Date.UTC(2026, 7, 1, 10, 0, second)),
  };
}

async function pause(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

describe('scale-up notices', () => {
  it('prints each decision once while unschedulable', async () => {
    const events: CoreV1Event[] = [event(1, 'FailedScheduling', '0/1 nodes are available: 1 Insufficient cpu.')];
    let reads = 0;
    const api = clusterApiWith({ listPodEvents: async () => {
      reads += 1;
      return events;
    } });
    const notices = new ScaleUpNotices(api, TARGET, 20);

    const { output } = await captureStdout(async () => {
      notices.update(true);
      await pause(50);
      events.push(event(2, 'TriggeredScaleUp', 'pod triggered scale-up: [{aks-build 1->2 (max: 3)}]'));
      await pause(80);
      notices.update(true);
      await pause(50);
      notices.update(false);
      events.push(event(3, 'NotTriggerScaleUp', "pod didn't trigger scale-up: 1 max node group size reached"));
      await pause(80);
    });

    const lines = output.split('\n').filter((line) => line.includes('cluster autoscaler'));
    assert.deepEqual(lines, ['The cluster autoscaler is adding a node for pod kaniko-1: pod triggered scale-up: [{aks-build 1->2 (max: 3)}].']);
    assert.ok(reads >= 3, `read the events ${reads} times`);
  });

  it('prints nothing when events cannot be read', async () => {
    const api = clusterApiWith({ listPodEvents: async () => {
      throw new Error('events are forbidden');
    } });
    const notices = new ScaleUpNotices(api, TARGET, 20);

    const { output } = await captureStdout(async () => {
      notices.update(true);
      await pause(60);
      notices.stop();
    });

    assert.ok(!output.includes('cluster autoscaler'), output);
  });
});
