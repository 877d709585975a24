// Finds the fields of an object that client-node's generated models lack. client-node writes a
// request body through these models (ObjectSerializer.serialize), which drops every field they
// lack, so such a field never reaches the API server.
import * as models from '@kubernetes/client-node';

interface Attribute {
  baseName: string;
  type: string;
}

type Model = { getAttributeTypeMap(): Attribute[] };

const ARRAY_TYPE = /^Array<(.+)>$/;
const MAP_TYPE = /^\{ \[key: string\]: (.+); \}$/;

/** Returns the paths of the fields of `value` that the model `typeName` (such as `V1Pod`) lacks, such as `spec.containers[0].imagePullPolcy`. */
export function unknownFields(value: unknown, typeName: string, path = ''): string[] {
  const arrayItem = ARRAY_TYPE.exec(typeName)?.[1];
  if (arrayItem !== undefined) {
    return Array.isArray(value) ? value.flatMap((item, index) => unknownFields(item, arrayItem, `${path}[${index}]`)) : [];
  }
  const mapValue = MAP_TYPE.exec(typeName)?.[1];
  if (mapValue !== undefined) {
    return isObject(value) ? Object.entries(value).flatMap(([key, item]) => unknownFields(item, mapValue, `${path}.${key}`)) : [];
  }
  const model = (models as unknown as Record<string, Model | undefined>)[typeName];
  if (!model?.getAttributeTypeMap || !isObject(value)) return [];
  const attributes = new Map(model.getAttributeTypeMap().map((attribute) => [attribute.baseName, attribute.type]));
  return Object.entries(value).flatMap(([key, item]) => {
    const fieldPath = path ? `${path}.${key}` : key;
    const type = attributes.get(key);
    return type === undefined ? [fieldPath] : unknownFields(item, type, fieldPath);
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
