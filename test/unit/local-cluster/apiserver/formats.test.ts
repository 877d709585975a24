import assert from 'node:assert/strict';
import { base64ErrorOffset } from '../../../../tools/local-cluster/apiserver/decode/base64';
import { imageTag } from '../../../../tools/local-cluster/apiserver/admission/pod-defaults';
import { parseFieldSelector, parseLabelSelector } from '../../../../tools/local-cluster/apiserver/selectors';
import { ApiError } from '../../../../tools/local-cluster/apiserver/status';
import { compareQuantities, formatQuantity, parseExactQuantity } from '../../../../tools/local-cluster/quantity-value';

describe('local API server: formats', () => {
  const canonical: [string, string][] = [
    ['1', '1'],
    ['0.5', '500m'],
    ['1.5', '1500m'],
    ['2000', '2k'],
    ['1024Mi', '1Gi'],
    ['1536Mi', '1536Mi'],
    ['0.5Gi', '512Mi'],
    ['0.5Ki', '512'],
    ['1e3', '1e3'],
    ['0.0000000001', '1n'],
    ['-1', '-1'],
  ];
  for (const [text, expected] of canonical) {
    it(`quantity ${text} prints as ${expected}`, () => {
      const quantity = parseExactQuantity(text);
      assert.ok(quantity);
      assert.equal(formatQuantity(quantity), expected);
    });
  }

  it('quantity comparison is exact', () => {
    assert.equal(compareQuantities(parseExactQuantity('1Gi')!, parseExactQuantity('1024Mi')!), 0);
    assert.equal(compareQuantities(parseExactQuantity('0.1')!, parseExactQuantity('100m')!), 0);
    assert.equal(compareQuantities(parseExactQuantity('999m')!, parseExactQuantity('1')!), -1);
    assert.equal(parseExactQuantity('1 GB'), undefined);
  });

  const base64Cases: [string, number | undefined][] = [
    ['YWJj', undefined],
    ['YWI=', undefined],
    ['YQ==', undefined],
    ['YWJj\nZGVm', undefined],
    ['', undefined],
    ['abc', 0],
    ['abcde', 4],
    ['ab!c', 2],
    ['a===', 1],
    ['YQ==YQ==', 4],
    ['not base64!', 3],
  ];
  for (const [text, offset] of base64Cases) {
    it(`base64 ${JSON.stringify(text)} fails at ${offset ?? 'no byte'}`, () => {
      assert.equal(base64ErrorOffset(text), offset);
    });
  }

  it('label selectors match like the API server', () => {
    const object = { metadata: { labels: { app: 'build', run: '7' } } };
    const matches = (selector: string): boolean => parseLabelSelector(selector)(object);
    assert.equal(matches(''), true);
    assert.equal(matches('app=build'), true);
    assert.equal(matches('app==build,run=7'), true);
    assert.equal(matches('app!=build'), false);
    assert.equal(matches('missing!=x'), true);
    assert.equal(matches('run in (6, 7)'), true);
    assert.equal(matches('run notin (7)'), false);
    assert.equal(matches('app'), true);
    assert.equal(matches('!app'), false);
    assert.equal(matches('missing=='), false);
    assert.throws(() => parseLabelSelector('app=x=y'), ApiError);
    assert.throws(() => parseLabelSelector('a b c'), ApiError);
  });

  it('field selectors unescape values and reject unknown fields', () => {
    const event = { metadata: { name: 'e' }, involvedObject: { name: 'a,b' }, reason: 'Pulled' };
    assert.equal(parseFieldSelector('events', 'involvedObject.name=a\\,b')(event), true);
    assert.equal(parseFieldSelector('events', 'reason!=Pulled')(event), false);
    assert.throws(() => parseFieldSelector('events', 'message=x'), /field label not supported: message/);
    assert.throws(() => parseFieldSelector('pods', 'bogus'), /invalid selector: 'bogus'/);
  });

  const tags: [string, string][] = [
    ['busybox', 'latest'],
    ['busybox:1.36', '1.36'],
    ['registry:5000/team/app', 'latest'],
    ['registry:5000/team/app:2', '2'],
    ['app@sha256:abc', ''],
  ];
  for (const [image, tag] of tags) {
    it(`image ${image} has tag ${JSON.stringify(tag)}`, () => {
      assert.equal(imageTag(image), tag);
    });
  }
});
