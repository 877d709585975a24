import assert from 'node:assert/strict';
import type { AttachSession, ContainerAttachRequest } from '../../../../tools/local-cluster/contract';
import { AttachableContainer } from '../../../../tools/local-cluster/kubelet/attach';
import { ContainerStdin } from '../../../../tools/local-cluster/kubelet/stdin';

const STDIN_ONLY: ContainerAttachRequest = { namespace: 'builds', pod: 'build', container: 'kaniko', stdin: true, stdout: false, stderr: false, tty: false };

/** Reads everything the container can read now, and whether its stdin reached EOF. */
async function drain(stdin: ContainerStdin): Promise<{ text: string; eof: boolean }> {
  let text = '';
  const signal = new AbortController().signal;
  for (;;) {
    const next = await Promise.race([stdin.read(signal), new Promise<'empty'>((resolve) => setTimeout(() => resolve('empty'), 20))]);
    if (next === 'empty') return { text, eof: false };
    if (next === null) return { text, eof: true };
    text += next.toString('utf8');
  }
}

async function isFinished(session: AttachSession): Promise<boolean> {
  return Promise.race([session.finished.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 20))]);
}

describe('kubelet attach sessions', () => {
  it('gives a stdinOnce container EOF when the client ends stdin', async () => {
    const stdin = new ContainerStdin(true);
    const container = new AttachableContainer('kaniko', stdin, false);
    const session = container.attach(STDIN_ONLY);
    session.writeStdin(Buffer.from('first '));
    session.writeStdin(Buffer.from('part'));
    assert.equal(await isFinished(session), false);
    session.endStdin();
    assert.equal(await isFinished(session), true);
    assert.deepEqual(await drain(stdin), { text: 'first part', eof: true });
  });

  it('delivers nothing from a second attach after stdinOnce closed stdin', async () => {
    const stdin = new ContainerStdin(true);
    const container = new AttachableContainer('kaniko', stdin, false);
    const first = container.attach(STDIN_ONLY);
    first.writeStdin(Buffer.from('archive'));
    first.endStdin();

    const second = container.attach(STDIN_ONLY);
    assert.equal(await isFinished(second), false, 'the copy runs until its first write fails');
    second.writeStdin(Buffer.from('more'));
    assert.equal(await isFinished(second), true);
    assert.deepEqual(await drain(stdin), { text: 'archive', eof: true });
  });

  it('keeps stdin open without stdinOnce and ends the output streams instead', async () => {
    const stdin = new ContainerStdin(false);
    const container = new AttachableContainer('app', stdin, false);
    const session = container.attach({ ...STDIN_ONLY, stderr: true });
    const received: string[] = [];
    session.onOutput((stream, data) => received.push(`${stream}:${data.toString('utf8')}`));
    container.emitLine('before');
    session.writeStdin(Buffer.from('input'));
    session.endStdin();
    container.emitLine('after');
    assert.equal(await isFinished(session), true);
    assert.deepEqual(received, ['stderr:before\n']);
    assert.deepEqual(await drain(stdin), { text: 'input', eof: false });
    assert.equal(stdin.isOpen, true);
  });

  it('drops stdin and ends at once for a container without stdin', async () => {
    const container = new AttachableContainer('kaniko', undefined, false);
    const session = container.attach(STDIN_ONLY);
    assert.equal(await isFinished(session), true);
    session.writeStdin(Buffer.from('ignored'));
  });

  it('streams output until the container exits', async () => {
    const container = new AttachableContainer('kaniko', undefined, false);
    const session = container.attach({ ...STDIN_ONLY, stdin: false, stdout: true, stderr: true });
    const received: string[] = [];
    session.onOutput((stream, data) => received.push(`${stream}:${data.toString('utf8')}`));
    container.emitLine('INFO[0000] Retrieving image manifest alpine:3.20');
    assert.equal(await isFinished(session), false);
    container.exit();
    assert.equal(await isFinished(session), true);
    assert.deepEqual(received, ['stderr:INFO[0000] Retrieving image manifest alpine:3.20\n']);
  });

  it('closes a stdinOnce container stdin when the client goes away', async () => {
    const stdin = new ContainerStdin(true);
    const container = new AttachableContainer('kaniko', stdin, false);
    const session = container.attach({ ...STDIN_ONLY, stdout: true });
    session.writeStdin(Buffer.from('half'));
    session.cancel();
    assert.equal(await isFinished(session), true);
    assert.deepEqual(await drain(stdin), { text: 'half', eof: true });
  });

  it('attaches no stderr to a TTY container', async () => {
    const container = new AttachableContainer('shell', new ContainerStdin(true), true);
    const session = container.attach({ ...STDIN_ONLY, stdin: false, stderr: true });
    assert.equal(await isFinished(session), true, 'nothing to stream');
  });

  it('closes stdin for writes when the container exits', () => {
    const stdin = new ContainerStdin(false);
    const container = new AttachableContainer('kaniko', stdin, false);
    container.exit();
    assert.equal(container.isRunning, false);
    assert.equal(stdin.write(Buffer.from('late')), false);
  });
});
