// The JSON Patch (RFC 6902) and JSON Merge Patch (RFC 7386) appliers, table-driven, with cases
// from the RFCs' appendices.
import assert from 'node:assert/strict';
import { applyJsonPatch, type JsonValue, PatchApplyError } from '../../../../tools/local-cluster/apiserver/patch/json-patch';
import { applyMergePatch } from '../../../../tools/local-cluster/apiserver/patch/merge-patch';

describe('local API server: JSON Patch', () => {
  const applies: { title: string; document: JsonValue; operations: Record<string, unknown>[]; expected: JsonValue }[] = [
    { title: 'add a member', document: { foo: 'bar' }, operations: [{ op: 'add', path: '/baz', value: 'qux' }], expected: { foo: 'bar', baz: 'qux' } },
    { title: 'add into an array', document: { foo: ['bar', 'baz'] }, operations: [{ op: 'add', path: '/foo/1', value: 'qux' }], expected: { foo: ['bar', 'qux', 'baz'] } },
    { title: 'append with -', document: { foo: ['bar'] }, operations: [{ op: 'add', path: '/foo/-', value: ['abc'] }], expected: { foo: ['bar', ['abc']] } },
    { title: 'add replaces a member', document: { foo: 'bar' }, operations: [{ op: 'add', path: '/foo', value: 1 }], expected: { foo: 1 } },
    { title: 'remove a member', document: { baz: 'qux', foo: 'bar' }, operations: [{ op: 'remove', path: '/baz' }], expected: { foo: 'bar' } },
    { title: 'remove from an array', document: { foo: ['bar', 'qux', 'baz'] }, operations: [{ op: 'remove', path: '/foo/1' }], expected: { foo: ['bar', 'baz'] } },
    { title: 'replace a member', document: { baz: 'qux' }, operations: [{ op: 'replace', path: '/baz', value: 'boo' }], expected: { baz: 'boo' } },
    {
      title: 'move a member', document: { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } },
      operations: [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }],
      expected: { foo: { bar: 'baz' }, qux: { corge: 'grault', thud: 'fred' } },
    },
    { title: 'copy a member', document: { a: { b: 1 } }, operations: [{ op: 'copy', from: '/a', path: '/c' }], expected: { a: { b: 1 }, c: { b: 1 } } },
    { title: 'test that passes', document: { a: [1, { b: 'c' }] }, operations: [{ op: 'test', path: '/a', value: [1, { b: 'c' }] }], expected: { a: [1, { b: 'c' }] } },
    { title: 'escaped keys', document: {}, operations: [{ op: 'add', path: '/a~1b', value: 1 }, { op: 'add', path: '/m~0n', value: 2 }], expected: { 'a/b': 1, 'm~n': 2 } },
    { title: 'replace the whole document', document: { a: 1 }, operations: [{ op: 'replace', path: '', value: { b: 2 } }], expected: { b: 2 } },
  ];
  for (const { title, document, operations, expected } of applies) {
    it(`applies ${title}`, () => {
      assert.deepEqual(applyJsonPatch(document, operations), expected);
    });
  }

  const rejects: { title: string; operations: Record<string, unknown>[] }[] = [
    { title: 'remove of a missing member', operations: [{ op: 'remove', path: '/missing' }] },
    { title: 'replace of a missing member', operations: [{ op: 'replace', path: '/missing', value: 1 }] },
    { title: 'add below a missing member', operations: [{ op: 'add', path: '/missing/child', value: 1 }] },
    { title: 'an index past the end', operations: [{ op: 'add', path: '/list/5', value: 1 }] },
    { title: 'an index with a leading zero', operations: [{ op: 'remove', path: '/list/01' }] },
    { title: 'a failed test', operations: [{ op: 'test', path: '/name', value: 'other' }] },
    { title: 'a move into its own child', operations: [{ op: 'move', from: '/list', path: '/list/0' }] },
    { title: 'an add without value', operations: [{ op: 'add', path: '/x' }] },
    { title: 'a pointer without a leading slash', operations: [{ op: 'add', path: 'x', value: 1 }] },
    { title: 'an unknown op', operations: [{ op: 'merge', path: '/x', value: 1 }] },
  ];
  for (const { title, operations } of rejects) {
    it(`rejects ${title} and keeps the document`, () => {
      const document: JsonValue = { name: 'build', list: [1, 2] };
      assert.throws(() => applyJsonPatch(document, [{ op: 'add', path: '/added', value: true }, ...operations]), PatchApplyError);
      assert.deepEqual(document, { name: 'build', list: [1, 2] });
    });
  }
});

describe('local API server: JSON Merge Patch', () => {
  const cases: { target: JsonValue; patch: JsonValue; expected: JsonValue }[] = [
    { target: { a: 'b' }, patch: { a: 'c' }, expected: { a: 'c' } },
    { target: { a: 'b' }, patch: { b: 'c' }, expected: { a: 'b', b: 'c' } },
    { target: { a: 'b' }, patch: { a: null }, expected: {} },
    { target: { a: 'b', b: 'c' }, patch: { a: null }, expected: { b: 'c' } },
    { target: { a: ['b'] }, patch: { a: 'c' }, expected: { a: 'c' } },
    { target: { a: 'c' }, patch: { a: ['b'] }, expected: { a: ['b'] } },
    { target: { a: { b: 'c' } }, patch: { a: { b: 'd', c: null } }, expected: { a: { b: 'd' } } },
    { target: { a: [{ b: 'c' }] }, patch: { a: [1] }, expected: { a: [1] } },
    { target: ['a', 'b'], patch: ['c', 'd'], expected: ['c', 'd'] },
    { target: { a: 'b' }, patch: ['c'], expected: ['c'] },
    { target: { e: null }, patch: { a: 1 }, expected: { e: null, a: 1 } },
    { target: [1, 2], patch: { a: 'b', c: null }, expected: { a: 'b' } },
    { target: {}, patch: { a: { bb: { ccc: null } } }, expected: { a: { bb: {} } } },
  ];
  for (const [position, { target, patch, expected }] of cases.entries()) {
    it(`RFC 7386 example ${position + 1}`, () => {
      assert.deepEqual(applyMergePatch(target, patch), expected);
    });
  }
});
