// Points from the summary to the pushed image in its registry, where the task can tell how.
import { loc } from '../messages';
import { codeSpan } from './code-span';

/** An ACR login server, such as `myregistry.azurecr.io` (public cloud), `.azurecr.cn` (China) or `.azurecr.us` (US Government). */
const ACR_LOGIN_SERVER = /^([a-z0-9-]+)\.azurecr\.(?:io|cn|us)$/;

/**
 * Returns markdown that leads to the image, or undefined when the task has no useful place to point to.
 *
 * - Docker Hub: a link to the repository's tags page, `https://hub.docker.com/r/NAMESPACE/NAME/tags`.
 * - Azure Container Registry: the Azure CLI command that shows the pushed image. The portal's
 *   page of a registry has the subscription and resource group in its address, and the task
 *   has only the login server.
 * - Other registries: nothing. Their web pages, if any, have addresses the task cannot derive,
 *   and `https://HOST` is usually an API endpoint with no page.
 */
export function registryPointer(repository: string, digest?: string): string | undefined {
  const slash = repository.indexOf('/');
  const host = repository.slice(0, slash);
  const path = repository.slice(slash + 1);
  if (host === 'docker.io') return dockerHubLink(path);
  const acr = ACR_LOGIN_SERVER.exec(host);
  if (acr && digest) {
    // Registry names are alphanumeric, so in `NAME-SUFFIX.azurecr.io` the name ends at the first
    // `-`, and the Azure CLI takes the rest as --suffix.
    const [registryName, ...suffix] = acr[1].split('-');
    const suffixOption = suffix.length > 0 ? ` --suffix ${suffix.join('-')}` : '';
    return loc('SummaryAcrCommand', codeSpan(`az acr repository show --name ${registryName}${suffixOption} --image ${path}@${digest}`));
  }
  return undefined;
}

function dockerHubLink(path: string): string | undefined {
  const parts = path.split('/');
  // Docker Hub repositories are NAMESPACE/NAME; `library/` contains the official images, which no pipeline pushes to.
  if (parts.length !== 2 || parts[0] === 'library') return undefined;
  return loc('SummaryDockerHubLink', `https://hub.docker.com/r/${parts[0]}/${parts[1]}/tags`);
}
