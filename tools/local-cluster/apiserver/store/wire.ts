// Conversions between the wire form that the store keeps (plain JSON, times as RFC 3339
// strings) and the typed objects of @kubernetes/client-node that the kubelet reads and writes.
import type { V1Pod, V1Secret, V1ServiceAccount } from '@kubernetes/client-node';
// @kubernetes/client-node does not re-export its model serializer from the package root.
import { ObjectSerializer } from '@kubernetes/client-node/dist/serializer.js';
import type { JsonObject } from '../decode/decode';
import { formatTime } from './object-store';

/** Converts a typed object to wire JSON: Dates become whole-second RFC 3339, undefined fields go. */
export function toWire<T>(value: T): JsonObject {
  return JSON.parse(
    JSON.stringify(value, function replacer(this: Record<string, unknown>, fieldName: string, fieldValue: unknown) {
      const raw = this[fieldName];
      return raw instanceof Date ? formatTime(raw) : fieldValue;
    }),
  ) as JsonObject;
}

/** Converts a stored pod to the typed form that client-node gives its callers, with Date fields. */
export function typedPod(pod: JsonObject): V1Pod {
  return ObjectSerializer.deserialize(pod, 'V1Pod') as V1Pod;
}

export function typedSecret(secret: JsonObject): V1Secret {
  return ObjectSerializer.deserialize(secret, 'V1Secret') as V1Secret;
}

export function typedServiceAccount(serviceAccount: JsonObject): V1ServiceAccount {
  return ObjectSerializer.deserialize(serviceAccount, 'V1ServiceAccount') as V1ServiceAccount;
}
