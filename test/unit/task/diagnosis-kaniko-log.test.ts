// kanikoErrorIn and KanikoErrorScanner: kaniko's fatal error lines in the build log.
import { strict as assert } from 'node:assert';
import { KanikoErrorScanner, kanikoErrorIn, type KanikoErrorKind } from '../../../tasks/KanikoBuildV1/src/diagnosis/kaniko-log';

const PUSH_TARGET = '"registry.stand-in.test/samples/flask-app:4711"';

describe('diagnosis: kaniko error lines', () => {
  const fatal: { title: string; line: string; kind: KanikoErrorKind }[] = [
    {
      title: 'push check since v1.26.2',
      line: `error checking push permissions: checking push permission for ${PUSH_TARGET}: POST https://registry.stand-in.test/v2/samples/flask-app/blobs/uploads/: UNAUTHORIZED: authentication required`,
      kind: 'pushPermissions',
    },
    {
      title: 'push check before v1.26.2',
      line: `error checking push permissions -- make sure you entered the correct tag name, and that you are authenticated correctly, and try again: checking push permission for ${PUSH_TARGET}: UNAUTHORIZED`,
      kind: 'pushPermissions',
    },
    { title: 'source context through cobra', line: 'Error: error resolving source context: BlobNotFound: The specified blob does not exist.', kind: 'sourceContext' },
    { title: 'source context without prefix', line: 'error resolving source context: unexpected EOF', kind: 'sourceContext' },
    { title: 'failing RUN step', line: 'error building image: error building stage: failed to execute command: waiting for process to exit: exit status 3', kind: 'building' },
    { title: 'push', line: 'error pushing image: failed to push to destination registry.stand-in.test/samples/flask-app:4711: DENIED: quota exceeded', kind: 'pushing' },
    { title: 'surrounding blanks', line: '  error building image: parsing dockerfile: unknown instruction: RUNN  ', kind: 'building' },
  ];
  for (const { title, line, kind } of fatal) {
    it(`finds ${title}`, () => {
      const error = kanikoErrorIn(line);

      assert.equal(error?.kind, kind);
      assert.equal(error?.line, line.trim());
    });
  }

  const other = [
    'INFO[0003] Running: [/bin/sh -c echo error building image]',
    'time="2026-08-01T10:00:00Z" level=info msg="error building image"',
    'Retrying: error checking push permissions',
    'Pushed registry.stand-in.test/samples/flask-app@sha256:0000',
    '',
  ];
  for (const line of other) {
    it(`ignores '${line.slice(0, 40)}'`, () => {
      assert.equal(kanikoErrorIn(line), undefined);
    });
  }

  it('cuts long lines', () => {
    const line = `error pushing image: ${'x'.repeat(2000)}`;
    const error = kanikoErrorIn(line);

    assert.equal(error?.line.length, 503);
    assert.ok(error?.line.endsWith('...'));
  });

  it('scanner keeps the last fatal line', () => {
    const scanner = new KanikoErrorScanner();
    for (const line of [
      'INFO[0000] Retrieving image manifest alpine:3.20',
      'error building image: printed by a RUN step',
      'INFO[0002] Pushing image to registry.stand-in.test/samples/flask-app:4711',
      'error pushing image: failed to push to destination: DENIED',
      '',
      'a line after a blank line',
    ]) scanner.scan(line);

    assert.equal(scanner.error?.kind, 'pushing');
    assert.equal(scanner.error?.line, 'error pushing image: failed to push to destination: DENIED');
  });

  it('scanner keeps the lines that continue an error', () => {
    const scanner = new KanikoErrorScanner();
    for (const line of [
      'Error: error resolving source context: HEAD https://acct.blob.core.windows.net/c/x.tar.gz/c/x.tar.gz',
      '--------------------------------------------------------------------------------',
      'RESPONSE 404: 404 The specified blob does not exist.',
      'ERROR CODE: BlobNotFound',
      '--------------------------------------------------------------------------------',
      'Usage:',
      '  executor [flags]',
    ]) scanner.scan(line);

    assert.equal(scanner.error?.line, [
      'Error: error resolving source context: HEAD https://acct.blob.core.windows.net/c/x.tar.gz/c/x.tar.gz',
      'RESPONSE 404: 404 The specified blob does not exist.',
      'ERROR CODE: BlobNotFound',
    ].join('\n'));
  });

  it('scanner stops the error at a log entry', () => {
    const scanner = new KanikoErrorScanner();
    for (const line of ['error pushing image: DENIED', 'time="2026-08-01T10:00:00Z" level=info msg="later"', 'not part of it']) scanner.scan(line);

    assert.equal(scanner.error?.line, 'error pushing image: DENIED');
  });

  it('scanner takes a few continuation lines at most', () => {
    const scanner = new KanikoErrorScanner();
    scanner.scan('error pushing image: DENIED');
    for (let index = 1; index <= 10; index += 1) scanner.scan(`detail ${index}`);

    assert.equal(scanner.error?.line.split('\n').length, 7);
  });

  it('scanner without a fatal line finds nothing', () => {
    const scanner = new KanikoErrorScanner();
    scanner.scan('INFO[0000] Retrieving image manifest alpine:3.20');

    assert.equal(scanner.error, undefined);
  });
});
