// Hand-built validated settings for tests of the planning step, which needs no files or network.
import type { RegistrySettings, Settings } from '../../../../tasks/KanikoBuildV1/src/settings/types';

export const REGISTRY_PASSWORD = 'registry-password-0006';
export const STORAGE_ACCESS_KEY = Buffer.from('plan test storage key, 64 bytes long .......... 0123456789abcdef').toString('base64');

export const DOCKER_HUB: RegistrySettings = {
  connectionName: 'docker-hub', host: 'docker.io', authKey: 'https://index.docker.io/v1/', username: 'hub-user', password: REGISTRY_PASSWORD,
};
export const ACR: RegistrySettings = {
  connectionName: 'acr', host: 'myregistry.azurecr.io', authKey: 'myregistry.azurecr.io', username: 'sp-client-id', password: REGISTRY_PASSWORD,
};

export interface SettingsChanges {
  buildId?: string;
  jobId?: string;
  registry?: RegistrySettings;
  pullRegistries?: RegistrySettings[];
  context?: Settings['context'];
  tags?: string[];
  build?: Partial<Settings['build']>;
  pod?: Partial<Settings['pod']>;
  kaniko?: Partial<Settings['kaniko']>;
}

export function sampleSettings(changes: SettingsChanges = {}): Settings {
  const registry = changes.registry ?? ACR;
  return {
    cluster: { kind: 'kubeconfig', connectionName: 'cluster', kubeconfig: '{}', skipTlsVerify: false },
    registry,
    pullRegistries: changes.pullRegistries ?? [],
    anonymousPulls: [],
    image: { repository: `${registry.host}/team/web`, tags: changes.tags ?? ['42', 'latest'] },
    build: { contextDir: '/agent/_work/1/s/app', dockerfile: 'docker/Dockerfile', dockerfileDisplayPath: 'app/docker/Dockerfile', buildArguments: [], secretBuildArguments: [], stageCount: 1, pulledImages: [], ...changes.build },
    storage: {
      account: 'kanikostorage',
      container: 'kaniko-contexts',
      accessKey: STORAGE_ACCESS_KEY,
      uploadEndpoint: 'https://kanikostorage.blob.core.windows.net',
      kanikoEndpoint: 'https://kanikostorage.blob.core.windows.net',
    },
    context: changes.context ?? { delivery: 'accountKey', downloadImage: 'curlimages/curl:8.20.0', retentionDays: 0 },
    pod: {
      namespace: 'builds',
      executorImage: 'ghcr.io/osscontainertools/kaniko:v1.28.3',
      resources: { requests: {}, limits: { cpu: '1', memory: '1Gi' } },
      timeoutSeconds: 1800,
      ...changes.pod,
    },
    kaniko: {
      labels: [], skipUnusedStages: false, pushRetry: 0, registryMirrors: [], insecureRegistries: [], noPush: false, extraArgs: [],
      ...changes.kaniko,
    },
    run: {
      buildId: changes.buildId ?? '1234',
      jobId: changes.jobId ?? '12f1170f-54f2-53f3-20dd-22fc7dff55f9',
      teamProject: 'Fabrikam Web',
      definitionName: 'web-ci',
      buildUrl: 'https://dev.azure.example.test/fabrikam/Fabrikam%20Web/_build/results?buildId=1234',
    },
  };
}

/** Returns settings whose storage uses an Azure Resource Manager connection with `clientSecret` instead of the account key. */
export function storageConnectionSettings(context: Settings['context'], clientSecret: string): Settings {
  const settings = sampleSettings({ context });
  settings.storage = {
    ...settings.storage!,
    accessKey: '',
    connection: {
      connectionId: 'storage-connection',
      tenantId: '66666666-7777-8888-9999-000000000000',
      clientId: '11111111-2222-3333-4444-555555555555',
      subscriptionId: '0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e',
      resourceManagerUrl: 'https://management.azure.com',
      resourceManagerAudience: 'https://management.core.windows.net/',
      authorityHost: 'https://login.microsoftonline.com',
      auth: { kind: 'secret', clientSecret },
    },
  };
  return settings;
}
