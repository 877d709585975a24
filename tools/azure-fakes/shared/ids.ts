// Identifier helpers shared by the fakes.
import { randomUUID } from 'node:crypto';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(value: string): boolean {
  return GUID.test(value);
}

export function newGuid(): string {
  return randomUUID();
}

/**
 * Encodes a GUID as base64url of its 16 bytes in the mixed-endian order of .NET's
 * `Guid.ToByteArray()` (Python's `uuid.bytes_le`), the encoding Entra uses for tenant and
 * application ids inside `/eid1/...` federated subjects.
 */
export function guidToBase64Url(guid: string): string {
  if (!isGuid(guid)) throw new Error(`Not a GUID: ${JSON.stringify(guid)}.`);
  const bytes = Buffer.from(guid.replace(/-/g, ''), 'hex');
  const mixedEndian = Buffer.concat([
    Buffer.from(bytes.subarray(0, 4)).reverse(),
    Buffer.from(bytes.subarray(4, 6)).reverse(),
    Buffer.from(bytes.subarray(6, 8)).reverse(),
    bytes.subarray(8),
  ]);
  return mixedEndian.toString('base64url');
}
