// The delivery of the build context from the agent into the kaniko pod.
import { loc } from '../messages';
import { isImageReference } from './image';
import type { Problems } from './problems';
import type { ContextDelivery, ContextSettings } from './types';

const DELIVERIES: ContextDelivery[] = ['sasDownload', 'accountKey', 'direct'];
/** The downloadImage input's default; task.json declares the same value. */
export const DEFAULT_DOWNLOAD_IMAGE = 'curlimages/curl:8.20.0';

export interface ContextInputs {
  contextDelivery: string;
  downloadImage: string;
}

/** Parses the contextDelivery input (empty means `sasDownload`) and the download image. */
export function parseContext(inputs: ContextInputs, problems: Problems): ContextSettings | undefined {
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
  return { delivery, downloadImage };
}
