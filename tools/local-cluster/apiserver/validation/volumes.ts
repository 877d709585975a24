// Pod volume validation, after ValidateVolumes and validateVolumeSource in
// pkg/apis/core/validation/validation.go (Kubernetes 1.34). The common sources (secret,
// configMap, emptyDir, hostPath, projected, downwardAPI, persistentVolumeClaim) are checked
// in depth; other sources are only counted.
import type { V1KeyToPath, V1Volume } from '@kubernetes/client-node';
import { child, duplicate, type FieldError, forbiddenField, index, invalid, notSupported, required } from '../field-errors';
import { localDescendingPathErrors } from './containers';
import { dns1123LabelErrors } from './names';
import { isNegative, parseExactQuantity } from '../../quantity-value';

/**
 * Volume source fields in the order Go checks them, with the path segment Go reports when a
 * volume has more than one (Go spells two of them differently from the JSON field).
 */
const VOLUME_SOURCES: [field: string, reportedAs: string][] = [
  ['emptyDir', 'emptyDir'], ['hostPath', 'hostPath'], ['gitRepo', 'gitRepo'], ['gcePersistentDisk', 'gcePersistentDisk'],
  ['awsElasticBlockStore', 'awsElasticBlockStore'], ['secret', 'secret'], ['nfs', 'nfs'], ['iscsi', 'iscsi'],
  ['glusterfs', 'glusterfs'], ['flocker', 'flocker'], ['persistentVolumeClaim', 'persistentVolumeClaim'], ['rbd', 'rbd'],
  ['cinder', 'cinder'], ['cephfs', 'cephFS'], ['quobyte', 'quobyte'], ['downwardAPI', 'downwarAPI'], ['fc', 'fc'],
  ['flexVolume', 'flexVolume'], ['configMap', 'configMap'], ['azureFile', 'azureFile'], ['vsphereVolume', 'vsphereVolume'],
  ['photonPersistentDisk', 'photonPersistentDisk'], ['portworxVolume', 'portworxVolume'], ['azureDisk', 'azureDisk'],
  ['storageos', 'storageos'], ['projected', 'projected'], ['scaleIO', 'scaleIO'], ['csi', 'csi'], ['ephemeral', 'ephemeral'],
  ['image', 'image'],
];
const HOST_PATH_TYPES = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];
const FILE_MODE_MESSAGE = 'must be a number between 0 and 0777 (octal), both inclusive';

/** Returns the names of the valid volumes, for volumeMounts to refer to, and the errors. */
export function validateVolumes(volumes: V1Volume[], path: string): { names: Set<string>; errors: FieldError[] } {
  const names = new Set<string>();
  const errors: FieldError[] = [];
  for (const [position, volume] of volumes.entries()) {
    const volumePath = index(path, position);
    const namePath = child(volumePath, 'name');
    const volumeErrors = validateVolumeSource(volume, volumePath);
    if (!volume.name) volumeErrors.push(required(namePath));
    else volumeErrors.push(...dns1123LabelErrors(volume.name).map((message) => invalid(namePath, volume.name, message)));
    if (names.has(volume.name)) volumeErrors.push(duplicate(namePath, volume.name));
    if (volumeErrors.length === 0) names.add(volume.name);
    errors.push(...volumeErrors);
  }
  return { names, errors };
}

function validateVolumeSource(volume: V1Volume, path: string): FieldError[] {
  const errors: FieldError[] = [];
  const source = volume as unknown as Record<string, unknown>;
  let count = 0;
  for (const [field, reportedAs] of VOLUME_SOURCES) {
    if (source[field] === undefined || source[field] === null) continue;
    if (count > 0) {
      errors.push(forbiddenField(child(path, reportedAs), 'may not specify more than 1 volume type'));
      continue;
    }
    count += 1;
    errors.push(...validateSource(volume, field, child(path, field)));
  }
  if (count === 0) errors.push(required(path, 'must specify a volume type'));
  return errors;
}

function validateSource(volume: V1Volume, field: string, path: string): FieldError[] {
  switch (field) {
    case 'secret':
      return [
        ...(volume.secret?.secretName ? [] : [required(child(path, 'secretName'))]),
        ...fileModeErrors(volume.secret?.defaultMode, child(path, 'defaultMode')),
        ...validateItems(volume.secret?.items ?? [], child(path, 'items')),
      ];
    case 'configMap':
      return [
        ...(volume.configMap?.name ? [] : [required(child(path, 'name'))]),
        ...fileModeErrors(volume.configMap?.defaultMode, child(path, 'defaultMode')),
        ...validateItems(volume.configMap?.items ?? [], child(path, 'items')),
      ];
    case 'emptyDir':
      return emptyDirErrors(volume.emptyDir?.sizeLimit, path);
    case 'hostPath':
      return hostPathErrors(volume.hostPath?.path ?? '', volume.hostPath?.type, path);
    case 'persistentVolumeClaim':
      return volume.persistentVolumeClaim?.claimName ? [] : [required(child(path, 'claimName'))];
    case 'projected':
      return fileModeErrors(volume.projected?.defaultMode, child(path, 'defaultMode'));
    case 'downwardAPI':
      return fileModeErrors(volume.downwardAPI?.defaultMode, child(path, 'defaultMode'));
    default:
      return [];
  }
}

function emptyDirErrors(sizeLimit: string | undefined, path: string): FieldError[] {
  const quantity = sizeLimit === undefined ? undefined : parseExactQuantity(sizeLimit);
  if (quantity && isNegative(quantity)) return [forbiddenField(child(path, 'sizeLimit'), 'SizeLimit field must be a valid resource quantity')];
  return [];
}

function hostPathErrors(hostPath: string, type: string | undefined, path: string): FieldError[] {
  if (!hostPath) return [required(child(path, 'path'))];
  const errors: FieldError[] = [];
  if (hostPath.split('/').includes('..')) errors.push(invalid(child(path, 'path'), hostPath, "must not contain '..'"));
  if (type !== undefined && !HOST_PATH_TYPES.includes(type)) errors.push(notSupported(child(path, 'type'), type, HOST_PATH_TYPES));
  return errors;
}

function fileModeErrors(mode: number | undefined, path: string): FieldError[] {
  return mode !== undefined && (mode > 0o777 || mode < 0) ? [invalid(path, mode, FILE_MODE_MESSAGE)] : [];
}

function validateItems(items: V1KeyToPath[], path: string): FieldError[] {
  const errors: FieldError[] = [];
  for (const [position, item] of items.entries()) {
    const itemPath = index(path, position);
    if (!item.key) errors.push(required(child(itemPath, 'key')));
    if (!item.path) errors.push(required(child(itemPath, 'path')));
    errors.push(...localDescendingPathErrors(item.path ?? '', child(itemPath, 'path')));
    if (item.path?.startsWith('..') && !item.path.startsWith('../')) {
      errors.push(invalid(child(itemPath, 'path'), item.path, "must not start with '..'"));
    }
    errors.push(...fileModeErrors(item.mode, child(itemPath, 'mode')));
  }
  return errors;
}
