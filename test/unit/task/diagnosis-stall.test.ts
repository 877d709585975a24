// StallClock: when a waiting pod is given up on, with the times passed in.
import { strict as assert } from 'node:assert';
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { StallClock } from '../../../tasks/KanikoBuildV1/src/diagnosis/stall';

const LIMITS = { pullErrorMs: 30_000, schedulingMs: 300_000 };

function status(name: string, reason: string): V1ContainerStatus {
  return { name, image: 'x', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason, message: `${reason} details` } } };
}

function waiting(kaniko: string, init?: string): V1Pod {
  return {
    metadata: { name: 'kaniko-1', namespace: 'builds' },
    status: {
      phase: 'Pending',
      containerStatuses: [status('kaniko', kaniko)],
      ...(init ? { initContainerStatuses: [status('download-context', init)] } : {}),
    },
  };
}

function unschedulable(): V1Pod {
  return {
    metadata: { name: 'kaniko-1', namespace: 'builds' },
    status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available' }] },
  };
}

describe('diagnosis: stall clock', () => {
  it('pull error within the limit waits', () => {
    const clock = new StallClock(LIMITS);
    clock.observe(waiting('ErrImagePull'), 1_000);

    assert.equal(clock.check(30_999), undefined);
    assert.equal(clock.nextCheckAt(), 31_000);
  });

  it('pull error that persists stalls', () => {
    const clock = new StallClock(LIMITS);
    clock.observe(waiting('ErrImagePull'), 1_000);
    clock.observe(waiting('ErrImagePull'), 20_000);

    assert.deepEqual(clock.check(31_000), { kind: 'imagePull', container: 'kaniko', seconds: 30 });
  });

  it('pull error after a back-off stalls at once', () => {
    const clock = new StallClock(LIMITS);
    clock.observe(waiting('ErrImagePull'), 1_000);
    clock.observe(waiting('ContainerCreating'), 2_000);
    assert.equal(clock.check(2_000), undefined);
    clock.observe(waiting('ErrImagePull'), 12_000);

    assert.deepEqual(clock.check(12_000), { kind: 'imagePull', container: 'kaniko', seconds: 0 });
  });

  it('init container pull error stalls too', () => {
    const clock = new StallClock(LIMITS);
    clock.observe(waiting('PodInitializing', 'ErrImagePull'), 0);

    assert.deepEqual(clock.check(30_000), { kind: 'imagePull', container: 'download-context', seconds: 30 });
  });

  it('pull that recovers does not stall', () => {
    const clock = new StallClock(LIMITS);
    clock.observe(waiting('ErrImagePull'), 0);
    clock.observe(waiting('ContainerCreating'), 5_000);

    assert.equal(clock.check(60_000), undefined);
    assert.equal(clock.nextCheckAt(), undefined);
  });

  it('unschedulable pod stalls after the limit', () => {
    const clock = new StallClock(LIMITS);
    clock.observe(unschedulable(), 10_000);

    assert.equal(clock.unschedulable, true);
    assert.equal(clock.check(309_999), undefined);
    assert.equal(clock.nextCheckAt(), 310_000);
    assert.deepEqual(clock.check(310_000), { kind: 'unschedulable', minutes: 5 });
  });

  it('limit counts from the first unschedulable version', () => {
    const clock = new StallClock(LIMITS);
    clock.observe(unschedulable(), 0);
    clock.observe(unschedulable(), 200_000);

    assert.deepEqual(clock.check(300_000), { kind: 'unschedulable', minutes: 5 });
  });

  it('scheduled pod resets the limit', () => {
    const clock = new StallClock(LIMITS);
    clock.observe(unschedulable(), 0);
    clock.observe(waiting('ContainerCreating'), 100_000);

    assert.equal(clock.unschedulable, false);
    assert.equal(clock.check(400_000), undefined);
  });

  it('no scheduling limit waits forever', () => {
    const clock = new StallClock({ pullErrorMs: 30_000 });
    clock.observe(unschedulable(), 0);

    assert.equal(clock.check(10 * 3_600_000), undefined);
    assert.equal(clock.nextCheckAt(), undefined);
  });
});
