// Checks that the Azurite release the project uses validates SAS tokens on blob reads, which
// the `sasDownload` context delivery relies on. A read-only SAS for one blob reads that blob.
// Azurite rejects an expired SAS, a SAS for another blob, and a write with a read SAS. The same
// is true for a user delegation SAS, whose key Azurite issues only over HTTPS with
// `--oauth basic`. Azurite 3.35.0 builds the user delegation string-to-sign up to service
// version 2025-07-05, so such a SAS must name that version: the default of
// @azure/storage-blob 12.32.0, 2026-04-06, signs more fields, and Azurite refuses it.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  AccountSASPermissions, AccountSASResourceTypes, AccountSASServices, BlobSASPermissions, BlobServiceClient,
  generateAccountSASQueryParameters, generateBlobSASQueryParameters, RestError, SASProtocol, StorageSharedKeyCredential,
  type BlobSASSignatureValues, type UserDelegationKey,
} from '@azure/storage-blob';
import { startAzurite, type AzuriteBlob } from '../../tools/azurite';
import { sharedAzurite } from './stand-ins';

const CONTAINER = 'contexts';
const BLOB = 'build-1.tar.gz';
const CONTENT = Buffer.from('gzip archive bytes');
/** The newest user delegation SAS version that Azurite 3.35.0 verifies. */
const UDK_SAS_VERSION = '2025-07-05';

interface HttpAnswer {
  status: number;
  errorCode?: string;
  body: Buffer;
}

/** Sends one request as curl would, without an Azure SDK; `ca` trusts Azurite's own certificate. */
function send(url: string, options: { method?: string; body?: string; headers?: Record<string, string>; ca?: string } = {}): Promise<HttpAnswer> {
  const call = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = call(url, { method: options.method ?? 'GET', headers: options.headers, ca: options.ca, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const errorCode = response.headers['x-ms-error-code'];
        resolve({ status: response.statusCode ?? 0, errorCode: typeof errorCode === 'string' ? errorCode : undefined, body: Buffer.concat(chunks) });
      });
    });
    request.on('error', reject);
    request.end(options.body);
  });
}

function readSas(blobName: string, extra: Partial<BlobSASSignatureValues> = {}): BlobSASSignatureValues {
  return {
    containerName: CONTAINER,
    blobName,
    permissions: BlobSASPermissions.parse('r'),
    expiresOn: new Date(Date.now() + 3_600_000),
    ...extra,
  };
}

async function uploadContext(azurite: AzuriteBlob, credential: StorageSharedKeyCredential, options: { ca?: string } = {}): Promise<void> {
  if (options.ca) {
    // The SDK's pipeline options cannot add Azurite's CA, so this upload goes through the REST API directly.
    const sas = generateAccountSASQueryParameters({
      services: AccountSASServices.parse('b').toString(),
      resourceTypes: AccountSASResourceTypes.parse('co').toString(),
      permissions: AccountSASPermissions.parse('rwc'),
      expiresOn: new Date(Date.now() + 600_000),
    }, credential).toString();
    const created = await send(`${azurite.blobEndpoint}/${CONTAINER}?restype=container&${sas}`, { method: 'PUT', ca: options.ca });
    assert.ok(created.status === 201 || created.status === 409, `container: ${created.status}`);
    const uploaded = await send(`${azurite.blobEndpoint}/${CONTAINER}/${BLOB}?${sas}`, {
      method: 'PUT', body: CONTENT.toString('latin1'), headers: { 'x-ms-blob-type': 'BlockBlob', 'Content-Length': String(CONTENT.length) }, ca: options.ca,
    });
    assert.equal(uploaded.status, 201);
    return;
  }
  const container = new BlobServiceClient(azurite.blobEndpoint, credential).getContainerClient(CONTAINER);
  await container.createIfNotExists();
  await container.getBlockBlobClient(BLOB).uploadData(CONTENT);
}

// NOTE: Azure Storage rejects an expired or wrongly signed SAS with 403 AuthenticationFailed
// ("Server failed to authenticate the request", Microsoft's Azure support blog kwill, 2013-08-27).
// Azurite 3.35.0 returns AuthorizationFailure, so code that reads the error should go by the 403.
describe('Azurite SAS validation with the account key', function () {
  this.timeout(60_000);
  let azurite: AzuriteBlob;
  let credential: StorageSharedKeyCredential;

  before(async () => {
    azurite = await sharedAzurite();
    credential = new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey);
    await uploadContext(azurite, credential);
  });

  function sasUrl(blobName: string, values: BlobSASSignatureValues): string {
    return `${azurite.blobEndpoint}/${CONTAINER}/${blobName}?${generateBlobSASQueryParameters(values, credential).toString()}`;
  }

  it('reads the blob with a read-only SAS for it', async () => {
    const answer = await send(sasUrl(BLOB, readSas(BLOB)));
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, CONTENT);
  });

  it('refuses an expired SAS', async () => {
    const answer = await send(sasUrl(BLOB, readSas(BLOB, { startsOn: new Date(Date.now() - 7_200_000), expiresOn: new Date(Date.now() - 60_000) })));
    assert.equal(answer.status, 403);
    assert.equal(answer.errorCode, 'AuthorizationFailure');
  });

  it('refuses a SAS that is not valid yet', async () => {
    const answer = await send(sasUrl(BLOB, readSas(BLOB, { startsOn: new Date(Date.now() + 600_000) })));
    assert.equal(answer.status, 403);
    assert.equal(answer.errorCode, 'AuthorizationFailure');
  });

  it('refuses a SAS for another blob', async () => {
    const otherBlob = generateBlobSASQueryParameters(readSas('other.tar.gz'), credential).toString();
    const answer = await send(`${azurite.blobEndpoint}/${CONTAINER}/${BLOB}?${otherBlob}`);
    assert.equal(answer.status, 403);
    assert.equal(answer.errorCode, 'AuthorizationFailure');
  });

  it('refuses a SAS whose signature was changed', async () => {
    const url = new URL(sasUrl(BLOB, readSas(BLOB)));
    url.searchParams.set('sig', randomBytes(32).toString('base64'));
    const answer = await send(url.toString());
    assert.equal(answer.status, 403);
    assert.equal(answer.errorCode, 'AuthorizationFailure');
  });

  it('refuses a write with the read SAS', async () => {
    const answer = await send(sasUrl(BLOB, readSas(BLOB)), {
      method: 'PUT', body: 'replaced', headers: { 'x-ms-blob-type': 'BlockBlob', 'Content-Length': '8' },
    });
    assert.equal(answer.status, 403);
    assert.equal(answer.errorCode, 'AuthorizationPermissionMismatch');
    const unchanged = await send(sasUrl(BLOB, readSas(BLOB)));
    assert.deepEqual(unchanged.body, CONTENT);
  });

  it('refuses a delete with the read SAS', async () => {
    const answer = await send(sasUrl(BLOB, readSas(BLOB)), { method: 'DELETE' });
    assert.equal(answer.status, 403);
    assert.equal(answer.errorCode, 'AuthorizationPermissionMismatch');
  });

  it('refuses an HTTPS-only SAS over HTTP', async () => {
    const answer = await send(sasUrl(BLOB, readSas(BLOB, { protocol: SASProtocol.Https })));
    assert.equal(answer.status, 403);
    assert.equal(answer.errorCode, 'AuthorizationProtocolMismatch');
  });

  it('refuses to issue a user delegation key for the account key', async () => {
    const service = new BlobServiceClient(azurite.blobEndpoint, credential, { retryOptions: { maxTries: 1 } });
    await assert.rejects(service.getUserDelegationKey(new Date(), new Date(Date.now() + 3_600_000)), (error: unknown) => {
      assert.ok(error instanceof RestError);
      assert.equal(error.statusCode, 403);
      assert.equal(error.code, 'AuthenticationFailed');
      return true;
    });
  });
});

describe('Azurite SAS validation with a user delegation key', function () {
  this.timeout(60_000);
  let azurite: AzuriteBlob;
  let ca: string;
  let key: UserDelegationKey;

  before(async () => {
    azurite = await startAzurite({ oauth: true });
    ca = azurite.caPem ?? '';
    await uploadContext(azurite, new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey), { ca });
    key = await requestUserDelegationKey(azurite.blobEndpoint, ca, new Date(Date.now() - 60_000), new Date(Date.now() + 3_600_000));
  });

  after(async () => {
    await azurite?.stop();
  });

  function udkSasUrl(blobName: string, values: BlobSASSignatureValues): string {
    const sas = generateBlobSASQueryParameters({ version: UDK_SAS_VERSION, ...values }, key, azurite.accountName).toString();
    return `${azurite.blobEndpoint}/${CONTAINER}/${blobName}?${sas}`;
  }

  it('reads the blob with a read-only user delegation SAS for it', async () => {
    const url = udkSasUrl(BLOB, readSas(BLOB));
    assert.match(url, /[?&]skoid=/, 'the SAS carries the key owner');
    const answer = await send(url, { ca });
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, CONTENT);
  });

  it('refuses a user delegation SAS of service version 2026-04-06', async () => {
    const sas = generateBlobSASQueryParameters(readSas(BLOB), key, azurite.accountName).toString();
    assert.match(sas, /(^|&)sv=2026-04-06(&|$)/, 'the SDK signs with its own service version by default');
    const answer = await send(`${azurite.blobEndpoint}/${CONTAINER}/${BLOB}?${sas}`, { ca });
    assert.equal(answer.status, 403);
    assert.equal(answer.errorCode, 'AuthorizationFailure');
  });

  it('refuses an expired user delegation SAS', async () => {
    const answer = await send(udkSasUrl(BLOB, readSas(BLOB, { startsOn: new Date(Date.now() - 600_000), expiresOn: new Date(Date.now() - 60_000) })), { ca });
    assert.equal(answer.status, 403);
    assert.equal(answer.errorCode, 'AuthorizationFailure');
  });

  it('refuses a user delegation SAS for another blob', async () => {
    const otherBlob = udkSasUrl('other.tar.gz', readSas('other.tar.gz')).split('?')[1];
    const answer = await send(`${azurite.blobEndpoint}/${CONTAINER}/${BLOB}?${otherBlob}`, { ca });
    assert.equal(answer.status, 403);
    assert.equal(answer.errorCode, 'AuthorizationFailure');
  });

  it('refuses a write with the read user delegation SAS', async () => {
    const answer = await send(udkSasUrl(BLOB, readSas(BLOB)), {
      method: 'PUT', body: 'replaced', headers: { 'x-ms-blob-type': 'BlockBlob', 'Content-Length': '8' }, ca,
    });
    assert.equal(answer.status, 403);
    assert.equal(answer.errorCode, 'AuthorizationPermissionMismatch');
  });

  it('refuses a user delegation SAS after its key expired', async () => {
    const expiredKey = await requestUserDelegationKey(azurite.blobEndpoint, ca, new Date(Date.now() - 7_200_000), new Date(Date.now() - 3_600_000));
    const values = readSas(BLOB, { version: UDK_SAS_VERSION, startsOn: new Date(Date.now() - 7_000_000) });
    const sas = generateBlobSASQueryParameters(values, expiredKey, azurite.accountName).toString();
    const answer = await send(`${azurite.blobEndpoint}/${CONTAINER}/${BLOB}?${sas}`, { ca });
    assert.equal(answer.status, 403);
    assert.equal(answer.errorCode, 'AuthorizationFailure');
  });
});

function keyInfo(start: Date, expiry: Date): string {
  const format = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `<?xml version="1.0" encoding="utf-8"?><KeyInfo><Start>${format(start)}</Start><Expiry>${format(expiry)}</Expiry></KeyInfo>`;
}

/**
 * Asks Azurite for a user delegation key (Get User Delegation Key, `POST ?restype=service&comp=userdelegationkey`)
 * with an Entra ID token for Storage. Azurite's `--oauth basic` checks the token's issuer,
 * audience and lifetime but not its signature, so the test signs it with random bytes.
 */
async function requestUserDelegationKey(endpoint: string, ca: string, start: Date, expiry: Date): Promise<UserDelegationKey> {
  const now = Math.floor(Date.now() / 1000);
  const tenant = randomUUID();
  const claims = {
    aud: 'https://storage.azure.com', iss: `https://sts.windows.net/${tenant}/`, iat: now, nbf: now - 60, exp: now + 3600, oid: randomUUID(), tid: tenant,
  };
  const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const token = `${encode({ alg: 'RS256', typ: 'JWT' })}.${encode(claims)}.${randomBytes(32).toString('base64url')}`;
  const answer = await send(`${endpoint}/?restype=service&comp=userdelegationkey`, {
    method: 'POST',
    body: keyInfo(start, expiry),
    headers: { Authorization: `Bearer ${token}`, 'x-ms-version': '2021-08-06', 'Content-Type': 'application/xml' },
    ca,
  });
  assert.equal(answer.status, 200, answer.body.toString('utf8'));
  const xml = answer.body.toString('utf8');
  const field = (name: string): string => {
    const match = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml);
    assert.ok(match, `the key has ${name}`);
    return match[1];
  };
  return {
    signedObjectId: field('SignedOid'),
    signedTenantId: field('SignedTid'),
    signedStartsOn: new Date(field('SignedStart')),
    signedExpiresOn: new Date(field('SignedExpiry')),
    signedService: field('SignedService'),
    signedVersion: field('SignedVersion'),
    value: field('Value'),
  };
}
