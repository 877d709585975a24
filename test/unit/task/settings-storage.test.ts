// parseSettings with the storage account, container, key and blob endpoint inputs.
import { strict as assert } from 'node:assert';
import { parseSettings } from '../../../tasks/KanikoBuildV1/src/settings/parse';
import type { RawInputs } from '../../../tasks/KanikoBuildV1/src/settings/raw';
import { rawRun, settingsErrorMessage, settingsProblems, STORAGE_KEY } from './support/raw-run';
import { useTempDir, writeTree } from './support/temp-dir';

describe('settings: storage', () => {
  const root = useTempDir();
  beforeEach(() => writeTree(root(), { Dockerfile: 'FROM alpine\n' }));
  const parse = (inputs: Partial<RawInputs>) => parseSettings(rawRun(root(), { inputs })).storage!;
  const problemsOf = (inputs: Partial<RawInputs>) => settingsProblems(rawRun(root(), { inputs }));

  it('default endpoint is the public cloud', () => {
    const storage = parse({ storageAccount: 'kanikostorage', storageContainer: 'kaniko-contexts' });

    assert.equal(storage.account, 'kanikostorage');
    assert.equal(storage.container, 'kaniko-contexts');
    assert.equal(storage.accessKey, STORAGE_KEY);
    assert.equal(storage.uploadEndpoint, 'https://kanikostorage.blob.core.windows.net');
    assert.equal(storage.kanikoEndpoint, 'https://kanikostorage.blob.core.windows.net');
  });

  const endpoints = [
    { name: 'public cloud', input: 'https://kanikostorage.blob.core.windows.net/', upload: 'https://kanikostorage.blob.core.windows.net', kaniko: 'https://kanikostorage.blob.core.windows.net' },
    { name: 'China', input: 'https://kanikostorage.blob.core.chinacloudapi.cn', upload: 'https://kanikostorage.blob.core.chinacloudapi.cn', kaniko: 'https://kanikostorage.blob.core.chinacloudapi.cn' },
    { name: 'US Government', input: 'https://KanikoStorage.blob.core.usgovcloudapi.net//', upload: 'https://kanikostorage.blob.core.usgovcloudapi.net', kaniko: 'https://kanikostorage.blob.core.usgovcloudapi.net' },
    { name: 'Germany', input: 'https://kanikostorage.blob.core.cloudapi.de', upload: 'https://kanikostorage.blob.core.cloudapi.de', kaniko: 'https://kanikostorage.blob.core.cloudapi.de' },
    { name: 'emulator on 127.0.0.1', input: 'http://127.0.0.1:10000/kanikostorage', upload: 'http://127.0.0.1:10000/kanikostorage', kaniko: 'https://kanikostorage.blob.core.windows.net' },
    { name: 'emulator on localhost', input: 'http://localhost:10000/kanikostorage/', upload: 'http://localhost:10000/kanikostorage', kaniko: 'https://kanikostorage.blob.core.windows.net' },
    { name: 'emulator on [::1]', input: 'http://[::1]:10000/kanikostorage', upload: 'http://[::1]:10000/kanikostorage', kaniko: 'https://kanikostorage.blob.core.windows.net' },
    { name: 'private endpoint name', input: 'https://kanikostorage.privatelink.blob.core.windows.net', upload: 'https://kanikostorage.privatelink.blob.core.windows.net', kaniko: 'https://kanikostorage.blob.core.windows.net' },
  ];
  for (const { name, input, upload, kaniko } of endpoints) {
    it(`endpoint accepted: ${name}`, () => {
      const storage = parse({ storageBlobEndpoint: input });

      assert.equal(storage.uploadEndpoint, upload);
      assert.equal(storage.kanikoEndpoint, kaniko);
    });
  }

  const rejectedEndpoints = [
    { name: 'plain http to another host', input: 'http://kanikostorage.blob.core.windows.net', pattern: /does not use https/ },
    { name: 'plain http to a private address', input: 'http://10.0.0.4:10000/kanikostorage', pattern: /does not use https/ },
    { name: 'http to a loopback look-alike', input: 'http://127.0.0.1.example.test/kanikostorage', pattern: /does not use https/ },
    { name: 'ftp', input: 'ftp://kanikostorage.example.test', pattern: /does not use https/ },
    { name: 'not a URL', input: 'kanikostorage.blob.core.windows.net', pattern: /is not a valid blob service URL/ },
    { name: 'query string', input: 'https://kanikostorage.blob.core.windows.net/?sv=2024&sig=abc', pattern: /is not a valid blob service URL/ },
    { name: 'fragment', input: 'https://kanikostorage.blob.core.windows.net/#x', pattern: /is not a valid blob service URL/ },
    { name: 'user name', input: 'https://user@kanikostorage.blob.core.windows.net', pattern: /is not a valid blob service URL/ },
  ];
  for (const { name, input, pattern } of rejectedEndpoints) {
    it(`endpoint rejected: ${name}`, () => {
      const problems = problemsOf({ storageBlobEndpoint: input });

      assert.equal(problems.length, 1, problems.join('\n'));
      assert.match(problems[0], /^Input storageBlobEndpoint:/);
      assert.match(problems[0], pattern);
    });
  }

  for (const account of ['abc', 'a1b2c3', 'x'.repeat(24), 'devstoreaccount1']) {
    it(`account ${account} is accepted`, () => {
      assert.equal(parse({ storageAccount: account }).account, account);
    });
  }

  for (const account of ['', 'ab', 'x'.repeat(25), 'Kaniko', 'kaniko-store', 'kaniko_store']) {
    it(`account '${account}' is rejected`, () => {
      const problems = problemsOf({ storageAccount: account });

      assert.equal(problems.length, 1, problems.join('\n'));
      assert.ok(problems[0].startsWith(`Input storageAccount: '${account || '(empty)'}'`), problems[0]);
    });
  }

  for (const container of ['abc', 'kaniko-contexts', 'a1-b2-c3', 'x'.repeat(63)]) {
    it(`container ${container.slice(0, 20)} is accepted`, () => {
      assert.equal(parse({ storageContainer: container }).container, container);
    });
  }

  for (const container of ['', 'ab', 'x'.repeat(64), '-abc', 'abc-', 'a--b', 'Kaniko', 'kaniko_contexts', '$root']) {
    it(`container '${container.slice(0, 20)}' is rejected`, () => {
      const problems = problemsOf({ storageContainer: container });

      assert.equal(problems.length, 1, problems.join('\n'));
      assert.ok(problems[0].startsWith(`Input storageContainer: '${container || '(empty)'}'`), problems[0]);
    });
  }

  it('missing key and connection are reported', () => {
    const problems = problemsOf({ storageAccessKey: '' });

    assert.equal(problems.length, 1);
    assert.match(problems[0], /^Inputs storageAccessKey and storageConnection: both are empty/);
    assert.match(problems[0], /Storage Blob Data Contributor/);
  });

  const invalidKeys = ['not a key!', 'abc', 'YWJj=YWJj', 'key-with-dash-1234', `${STORAGE_KEY}x`, 'YWJjZA==='];
  for (const key of invalidKeys) {
    it(`invalid key '${key.slice(0, 12)}' is not echoed`, () => {
      const message = settingsErrorMessage(rawRun(root(), { inputs: { storageAccessKey: key } }));

      assert.match(message, /Input storageAccessKey: the value is not a storage account key/);
      assert.ok(!message.includes(key), `the key appears in: ${message}`);
    });
  }

  it('all storage problems are reported together', () => {
    const problems = problemsOf({
      storageAccount: 'A', storageContainer: 'B', storageAccessKey: 'bad key', storageBlobEndpoint: 'http://remote.example.test',
    });

    assert.equal(problems.length, 4, problems.join('\n'));
    for (const input of ['storageAccount', 'storageContainer', 'storageAccessKey', 'storageBlobEndpoint']) {
      assert.ok(problems.some((problem) => problem.startsWith(`Input ${input}:`)), `${input} missing from ${problems.join('\n')}`);
    }
  });
});
