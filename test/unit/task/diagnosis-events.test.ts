// Event helpers: order, merging, limit, the kubelet's pull error and the autoscaler's decision.
import { strict as assert } from 'node:assert';
import type { CoreV1Event } from '@kubernetes/client-node';
import { formatRecentEvents, lastPullError, lastScaleUpEvent, sortEvents } from '../../../tasks/KanikoBuildV1/src/diagnosis/events';

const POD = { kind: 'Pod', name: 'kaniko-1', namespace: 'builds' };

function event(second: number, type: string, reason: string, message: string, count?: number): CoreV1Event {
  return {
    metadata: { name: `kaniko-1.${second}`, namespace: 'builds' },
    involvedObject: POD,
    type, reason, message,
    lastTimestamp: new Date(Date.UTC(2026, 7, 1, 10, 0, second)),
    ...(count ? { count } : {}),
  };
}

describe('diagnosis: events', () => {
  it('sorts by last time, keeping ties in API order', () => {
    const events = [event(5, 'Normal', 'Pulled', 'b'), event(1, 'Normal', 'Scheduled', 'a'), event(5, 'Normal', 'Created', 'c')];

    assert.deepEqual(sortEvents(events).map((item) => item.reason), ['Scheduled', 'Pulled', 'Created']);
  });

  it('formats oldest first', () => {
    const lines = formatRecentEvents([event(2, 'Warning', 'Failed', 'Error: ErrImagePull'), event(1, 'Normal', 'Pulling', 'Pulling image "x"')]);

    assert.deepEqual(lines, ['Normal Pulling: Pulling image "x"', 'Warning Failed: Error: ErrImagePull']);
  });

  it('merges repeats at their last occurrence with the count', () => {
    const lines = formatRecentEvents([
      event(1, 'Warning', 'Failed', 'Error: ErrImagePull'),
      event(2, 'Normal', 'BackOff', 'Back-off pulling image "x"', 3),
      event(3, 'Warning', 'Failed', 'Error: ErrImagePull', 2),
    ]);

    assert.deepEqual(lines, ['Normal BackOff: Back-off pulling image "x" (3 times)', 'Warning Failed: Error: ErrImagePull (3 times)']);
  });

  it('keeps the latest lines only', () => {
    const events = Array.from({ length: 12 }, (_, index) => event(index, 'Normal', 'Step', `step ${index}`));
    const lines = formatRecentEvents(events);

    assert.equal(lines.length, 8);
    assert.equal(lines[0], 'Normal Step: step 4');
    assert.equal(lines[7], 'Normal Step: step 11');
  });

  it('finds the last pull error of the image', () => {
    const events = [
      event(1, 'Warning', 'Failed', 'Failed to pull image "example.test/kaniko:1": rpc error: code = NotFound desc = first'),
      event(2, 'Warning', 'Failed', 'Failed to pull image "example.test/other:1": rpc error: other image'),
      event(3, 'Warning', 'Failed', 'Failed to pull image "example.test/kaniko:1": rpc error: code = Unknown desc = second'),
      event(4, 'Warning', 'Failed', 'Error: ImagePullBackOff'),
    ];

    assert.match(lastPullError(events, 'example.test/kaniko:1') ?? '', /desc = second$/);
    assert.equal(lastPullError(events, 'example.test/missing:1'), undefined);
  });

  it('finds the autoscaler decision', () => {
    const events = [
      event(1, 'Warning', 'FailedScheduling', '0/3 nodes are available: 3 Insufficient cpu.'),
      event(2, 'Normal', 'NotTriggerScaleUp', "pod didn't trigger scale-up: 1 max node group size reached"),
      event(3, 'Normal', 'TriggeredScaleUp', 'pod triggered scale-up: [{aks-build-123 1->2 (max: 5)}]'),
    ];

    assert.deepEqual(lastScaleUpEvent(events), { reason: 'TriggeredScaleUp', message: 'pod triggered scale-up: [{aks-build-123 1->2 (max: 5)}]' });
    assert.equal(lastScaleUpEvent(events.slice(0, 1)), undefined);
  });
});
