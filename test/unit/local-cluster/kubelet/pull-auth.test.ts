// Base image pulls in the executor emulation: emulated registries require credentials, other
// registries serve anonymous pulls.
import assert from 'node:assert/strict';
import { ContainerFiles } from '../../../../tools/local-cluster/kubelet/executor/container-files';
import { pullProblem, type RegistryCredential } from '../../../../tools/local-cluster/kubelet/executor/registry-auth';

const PRIVATE_REGISTRY = 'base.azurecr.io';
const KNOWN: Record<string, RegistryCredential> = { [PRIVATE_REGISTRY]: { username: 'puller', password: 'pull-secret' } };

function configFiles(config: unknown): ContainerFiles {
  return new ContainerFiles(new Map([['/kaniko/.docker/config.json', Buffer.from(JSON.stringify(config))]]));
}

function auth(username: string, password: string): { auth: string } {
  return { auth: Buffer.from(`${username}:${password}`).toString('base64') };
}

describe('base image pull check', () => {
  it('fails on an emulated registry without credentials', () => {
    const problem = pullProblem(`${PRIVATE_REGISTRY}/python:3.12`, { env: {}, files: configFiles({}), registryCredentials: KNOWN });

    assert.equal(problem,
      'GET https://base.azurecr.io/oauth2/token?scope=repository%3Apython%3Apull&service=base.azurecr.io: UNAUTHORIZED: authentication required');
  });

  it('fails with wrong credentials', () => {
    const files = configFiles({ auths: { [PRIVATE_REGISTRY]: auth('puller', 'wrong') } });

    assert.match(pullProblem(`${PRIVATE_REGISTRY}/python:3.12`, { env: {}, files, registryCredentials: KNOWN }) ?? '', /UNAUTHORIZED/);
  });

  it('passes with the registry credentials', () => {
    const files = configFiles({ auths: { [PRIVATE_REGISTRY]: auth('puller', 'pull-secret') } });

    assert.equal(pullProblem(`${PRIVATE_REGISTRY}/python:3.12`, { env: {}, files, registryCredentials: KNOWN }), undefined);
  });

  it('passes a digest reference with credentials', () => {
    const files = configFiles({ auths: { [PRIVATE_REGISTRY]: auth('puller', 'pull-secret') } });
    const image = `${PRIVATE_REGISTRY}/python@sha256:${'b'.repeat(64)}`;

    assert.equal(pullProblem(image, { env: {}, files, registryCredentials: KNOWN }), undefined);
  });

  it('passes any other registry anonymously', () => {
    assert.equal(pullProblem('python:3.12-slim', { env: {}, files: configFiles({}), registryCredentials: KNOWN }), undefined);
    assert.equal(pullProblem('ghcr.io/org/tool:1', { env: {}, files: configFiles({}), registryCredentials: KNOWN }), undefined);
  });

  it('asks Docker Hub\'s token service for an emulated Docker Hub', () => {
    const known = { 'docker.io': { username: 'hub', password: 'hub-secret' } };
    const problem = pullProblem('team/private:1', { env: {}, files: configFiles({}), registryCredentials: known });

    assert.equal(problem,
      'GET https://auth.docker.io/token?scope=repository%3Ateam%2Fprivate%3Apull&service=registry.docker.io: UNAUTHORIZED: authentication required');
  });
});
