// describeApiError: readable Kubernetes API errors without client-node's response headers.
import { strict as assert } from 'node:assert';
import { ApiException } from '@kubernetes/client-node';
import { apiErrorInfo, describeApiError, isNotFound } from '../../../tasks/KanikoBuildV1/src/kubernetes/errors';

const HEADERS = { authorization: 'Bearer header-token-0007', 'set-cookie': 'session=cookie-0008' };

function status(code: number, reason: string, message: string): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
}

describe('kubernetes: describeApiError', () => {
  const cases = [
    {
      name: 'Status body as text',
      error: new ApiException(403, 'Forbidden', status(403, 'Forbidden', 'pods is forbidden: User "x" cannot create'), HEADERS),
      expected: 'HTTP 403 Forbidden: pods is forbidden: User "x" cannot create',
    },
    {
      name: 'Status body as object',
      error: new ApiException(409, 'Conflict', JSON.parse(status(409, 'AlreadyExists', 'pods "a" already exists')), HEADERS),
      expected: 'HTTP 409 AlreadyExists: pods "a" already exists',
    },
    { name: 'plain Error', error: new Error('connect ECONNREFUSED 127.0.0.1:6443\n    at stack'), expected: 'connect ECONNREFUSED 127.0.0.1:6443' },
    { name: 'string', error: 'socket hang up', expected: 'socket hang up' },
  ];
  for (const { name, error, expected } of cases) {
    it(`describes ${name}`, () => {
      const text = describeApiError(error);

      assert.equal(text, expected);
      assert.ok(!text.includes('header-token-0007'), text);
      assert.ok(!text.includes('cookie-0008'), text);
    });
  }

  it('body not JSON hides headers', () => {
    const text = describeApiError(new ApiException(502, 'Bad Gateway', '<html>bad gateway</html>', HEADERS));

    assert.match(text, /^HTTP 502\b/);
    assert.ok(!text.includes('header-token-0007'), text);
  });

  it('body not JSON names the code once', () => {
    const text = describeApiError(new ApiException(502, 'Bad Gateway', '<html>bad gateway</html>', HEADERS));
    assert.equal(text, 'HTTP 502 BadGateway: the server sent no error details');
  });

  it('info keeps code and reason', () => {
    const info = apiErrorInfo(new ApiException(422, 'Invalid', status(422, 'Invalid', 'spec is invalid'), HEADERS));

    assert.deepEqual(info, { code: 422, reason: 'Invalid', message: 'spec is invalid' });
  });

  it('isNotFound only for 404', () => {
    assert.equal(isNotFound(new ApiException(404, 'Not Found', status(404, 'NotFound', 'gone'), {})), true);
    assert.equal(isNotFound(new ApiException(410, 'Gone', status(410, 'Gone', 'gone'), {})), false);
    assert.equal(isNotFound(new Error('404')), false);
  });
});
