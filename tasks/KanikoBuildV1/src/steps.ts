// The steps of a run that follow the parsing of its settings, with the Kubernetes and Azure
// clients they use. main.ts loads this module with import() after the first log line, because
// evaluating these clients takes most of the task's start-up time, and a run with invalid
// settings never needs them. Modules that main.ts imports statically must not import these clients.
export { createClusterApi } from './kubernetes/client';
export { withRetries } from './kubernetes/retrying-client';
export { checkAccess } from './phases/check-access';
export { checkCluster } from './phases/check-cluster';
export { checkPodTemplate } from './phases/check-pod';
export { checkServiceAccount } from './phases/check-service-account';
export { createBuildNamespace } from './phases/create-namespace';
export { createBuildPod } from './phases/create-pod';
export { followBuild } from './phases/follow-build';
export { deleteUnusedContexts } from './phases/kept-contexts';
export { resolveKubeconfig } from './phases/resolve-cluster';
export { resolveRegistry } from './phases/resolve-registry';
export { getDelegationKey } from './phases/storage-access';
export { streamContext } from './phases/stream-context';
export { uploadContext } from './phases/upload-context';
export { buildPlan } from './plan/plan';
export { createBlobStore } from './storage/blob-store';
