// The delivery of the build context from the agent into the kaniko pod.
import { loc } from '../messages';
import { isImageReference } from './image';
import type { Problems } from './problems';
import type { ContextDelivery, ContextSettings } from './types';

const DELIVERIES: ContextDelivery[] = ['sasDownload', 'accountKey', 'direct'];
/** The downloadImage input's default; task.json declares the same value. */
export const DEFAULT_DOWNLOAD_IMAGE = 'curlimages/curl:8.20.0';

/** Entry time of reproducible archives without SOURCE_DATE_EPOCH: 2000-01-01 00:00:00 UTC, late enough for ZIP, which cannot store times before 1980. */
export const DEFAULT_ARCHIVE_MTIME = new Date(Date.UTC(2000, 0, 1));
export const DEFAULT_RETENTION_DAYS = 7;
export const MAX_RETENTION_DAYS = 365;

export interface ContextInputs {
  contextDelivery: string;
  downloadImage: string;
  reproducibleContext: string;
  contextRetentionInDays: string;
  /** The SOURCE_DATE_EPOCH pipeline variable. */
  sourceDateEpoch: string;
}

/** Parses the inputs on packing and delivering the context; empty inputs take their defaults. */
export function parseContext(inputs: ContextInputs, problems: Problems): ContextSettings | undefined {
  const mtime = parseArchiveTime(inputs, problems);
  const retentionDays = parseRetention(inputs.contextRetentionInDays, problems);
  const delivery = (inputs.contextDelivery || 'sasDownload') as ContextDelivery;
  if (!DELIVERIES.includes(delivery)) {
    problems.add(loc('ContextDeliveryInvalid', inputs.contextDelivery));
    return undefined;
  }
  const downloadImage = inputs.downloadImage || DEFAULT_DOWNLOAD_IMAGE;
  if (delivery === 'sasDownload' && !isImageReference(downloadImage)) {
    problems.add(loc('DownloadImageInvalid', downloadImage));
    return undefined;
  }
  if (mtime === null || retentionDays === undefined) return undefined;
  return { delivery, downloadImage, ...(mtime ? { mtime } : {}), retentionDays };
}

/** Returns the time for every archive entry, undefined to keep each file's own, or null when SOURCE_DATE_EPOCH is invalid. */
function parseArchiveTime(inputs: ContextInputs, problems: Problems): Date | undefined | null {
  if (inputs.reproducibleContext.toLowerCase() === 'false') return undefined;
  const epoch = inputs.sourceDateEpoch.trim();
  if (epoch === '') return DEFAULT_ARCHIVE_MTIME;
  // tar headers store times as 11 octal digits, so later times do not fit.
  if (!/^\d{1,11}$/.test(epoch) || Number(epoch) > 0o77777777777) {
    problems.add(loc('SourceDateEpochInvalid', epoch));
    return null;
  }
  return new Date(Number(epoch) * 1000);
}

function parseRetention(value: string, problems: Problems): number | undefined {
  if (value === '') return DEFAULT_RETENTION_DAYS;
  const days = /^\d{1,3}$/.test(value) ? Number(value) : NaN;
  if (!(days <= MAX_RETENTION_DAYS)) {
    problems.add(loc('RetentionInvalid', value, MAX_RETENTION_DAYS));
    return undefined;
  }
  return days;
}
