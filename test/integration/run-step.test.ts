// The run-step command, run as a user runs it, on a pipeline file whose KanikoBuild@1 step
// builds against the local cluster and Azurite. Secrets reach it only through files and
// environment variables.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sharedStandIns, STAND_IN_REGISTRY, type StandIns } from './stand-ins';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(REPO_ROOT, 'tools', 'run-step', 'cli.ts');
const SAMPLE_APP = path.join(REPO_ROOT, 'samples', 'flask-app');

interface CommandResult {
  code: number | null;
  output: string;
}

/** Runs the command with only PATH and `env` in its environment, as the built task needs no more. */
function runCommand(args: string[], env: Record<string, string> = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), ...env },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** Returns the tests' pipeline file: two jobs, each with one KanikoBuild@1 step, like a real repository's. */
function pipelineYaml(namespace: string, container: string): string {
  return `
trigger: none
variables:
  imageRepository: samples/flask-app
stages:
  - stage: Build
    jobs:
      - job: BuildImage
        variables:
          - name: storageAccount
            value: devstoreaccount1
          - group: build-secrets
        steps:
          - checkout: self
          - task: KanikoBuild@1
            name: build
            displayName: Build the Flask image
            inputs:
              kubernetesServiceConnection: aks-build-cluster
              namespace: ${namespace}
              containerRegistry: build-registry
              repository: $(imageRepository)
              tags: |
                $(Build.BuildId)
                latest
              dockerfile: app/Dockerfile
              storageAccount: $(storageAccount)
              storageContainer: ${container}
              storageAccessKey: $(CONTEXT_STORAGE_KEY)
              storageBlobEndpoint: $(blobEndpoint)
      - job: BuildTools
        steps:
          - task: KanikoBuild@1
            name: buildTools
            inputs:
              kubernetesServiceConnection: other-cluster
              namespace: ${namespace}
              containerRegistry: build-registry
              repository: samples/tools
              dockerfile: app/Dockerfile
              storageAccount: devstoreaccount1
              storageAccessKey: $(CONTEXT_STORAGE_KEY)
              storageBlobEndpoint: $(blobEndpoint)
`;
}

describe('run-step command', function () {
  this.timeout(180_000);

  let standIns: StandIns;
  let folder: string;
  let pipeline: string;
  let connections: string;
  let namespace: string;
  let secretEnvironment: Record<string, string>;

  before(async () => {
    standIns = await sharedStandIns();
    const suffix = randomBytes(3).toString('hex');
    namespace = `run-step-${suffix}`;
    standIns.cluster.createNamespace(namespace);

    // A repository: its root has .git, so the command takes it as the sources folder.
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'run-step-'));
    fs.mkdirSync(path.join(folder, '.git'));
    fs.cpSync(SAMPLE_APP, path.join(folder, 'app'), { recursive: true });
    fs.mkdirSync(path.join(folder, 'pipelines'));
    pipeline = path.join(folder, 'pipelines', 'build.yml');
    fs.writeFileSync(pipeline, pipelineYaml(namespace, `contexts-${suffix}`));

    const local = path.join(folder, 'local');
    fs.mkdirSync(local);
    fs.writeFileSync(path.join(local, 'kubeconfig'), standIns.cluster.kubeconfig());
    const auth = Buffer.from(`${STAND_IN_REGISTRY.username}:${STAND_IN_REGISTRY.password}`).toString('base64');
    fs.writeFileSync(path.join(local, 'docker-config.json'), JSON.stringify({ auths: { [STAND_IN_REGISTRY.host]: { auth } } }));
    connections = path.join(local, 'connections.yml');
    fs.writeFileSync(connections, 'aks-build-cluster:\n  kubeconfig: kubeconfig\nbuild-registry:\n  dockerConfig: docker-config.json\n  registry: registry.stand-in.test\n');
    secretEnvironment = { CONTEXT_STORAGE_KEY: standIns.azurite.accountKey };
  });

  after(() => {
    fs.rmSync(folder, { recursive: true, force: true });
  });

  function blobEndpoint(): string {
    return `blobEndpoint=${standIns.azurite.blobEndpoint}`;
  }

  describe('a build', () => {
    let result: CommandResult;
    before(async () => {
      result = await runCommand([pipeline, '--step', 'build', '--connections', connections, '--variable', blobEndpoint()], secretEnvironment);
    });

    it('succeeds', () => {
      assert.equal(result.code, 0, result.output);
      assert.match(result.output, /^Result: Succeeded/m);
    });

    it('builds with the step inputs', () => {
      const record = standIns.cluster.runs.find((run) => run.namespace === namespace && run.args.some((arg) => arg.includes('/samples/flask-app:')));
      assert.ok(record, 'no pod ran in the namespace');
      const destinations = record.args.filter((arg) => arg.startsWith('--destination='));
      assert.equal(destinations.length, 2, destinations.join(' '));
      assert.match(destinations[0], new RegExp(`^--destination=${STAND_IN_REGISTRY.host}/samples/flask-app:local-\\d{8}-\\d{6}$`));
      assert.equal(destinations[1], `--destination=${STAND_IN_REGISTRY.host}/samples/flask-app:latest`);
      assert.ok(record.contextFiles.includes('app.py'), record.contextFiles.join(', '));
    });

    it('prints outputs and summary', () => {
      const digest = /^Output variable imageDigest = (sha256:[0-9a-f]{64})$/m.exec(result.output)?.[1];
      assert.ok(digest, result.output);
      assert.match(result.output, /^Summary "Build the Flask image\.md":$/m);
      assert.ok(result.output.includes(`- **Digest:** \`${digest}\``), result.output);
    });

    it('runs the post-job step', () => {
      assert.match(result.output, /^Post-job step:$/m);
      assert.doesNotMatch(result.output, /The post-job step ended with/);
    });

    it('shows no secret', () => {
      assert.ok(!result.output.includes(standIns.azurite.accountKey), 'the storage key is in the output');
      assert.ok(!result.output.includes(STAND_IN_REGISTRY.password), 'the registry password is in the output');
    });

    it('leaves no pod or Secret', () => {
      assert.deepEqual(standIns.cluster.listObjects('pods', namespace).map((pod) => pod.metadata?.name), []);
      assert.deepEqual(standIns.cluster.listObjects('secrets', namespace).map((secret) => secret.metadata?.name), []);
    });
  });

  it('maps connections from flags', async () => {
    const local = path.dirname(connections);
    const result = await runCommand([
      pipeline, '--step', '2', '--kubeconfig', path.join(local, 'kubeconfig'), '--docker-config', path.join(local, 'docker-config.json'),
      '--variable', blobEndpoint(), '--no-post',
    ], secretEnvironment);
    assert.equal(result.code, 0, result.output);
    assert.match(result.output, /^Output variable imageName = registry\.stand-in\.test\/samples\/tools@sha256:/m);
    assert.doesNotMatch(result.output, /Post-job step/);
  });

  describe('bad input', () => {
    const cases: Array<{ name: string; args: () => string[]; env?: () => Record<string, string>; message: RegExp }> = [
      { name: 'no pipeline file', args: () => ['--step', 'build'], message: /Expected one pipeline file, got 0 \(none\)/ },
      { name: 'missing pipeline file', args: () => [path.join(folder, 'missing.yml')], message: /Cannot read the pipeline file .*missing\.yml: ENOENT/ },
      { name: 'step not found', args: () => [pipeline, '--step', 'deploy'], message: /--step "deploy": no KanikoBuild@1 step .* has this name or display name[^]*1\. name: build, displayName: Build the Flask image \(stage Build, job BuildImage\)/ },
      { name: 'step number out of range', args: () => [pipeline, '--step', '3'], message: /--step 3: the pipeline file .* has 2 KanikoBuild@1 step\(s\), numbered from 1/ },
      { name: 'two steps, no selection', args: () => [pipeline], message: /has 2 KanikoBuild@1 steps:\n {2}1\. name: build[^]*\n {2}2\. name: buildTools \(stage Build, job BuildTools\)\nChoose one with --step/ },
      {
        name: 'unresolved variable',
        args: () => [pipeline, '--step', 'build', '--connections', connections],
        env: () => secretEnvironment,
        message: /pipeline variable\(s\) that have no value:\n {2}blobEndpoint: pass --variable blobEndpoint=VALUE, or set the environment variable BLOBENDPOINT\nThe pipeline file also takes variables from variable group build-secrets/,
      },
      {
        name: 'unset secret variable',
        args: () => [pipeline, '--step', 'build', '--connections', connections, '--variable', blobEndpoint()],
        message: /CONTEXT_STORAGE_KEY \(secret\): set the environment variable CONTEXT_STORAGE_KEY/,
      },
      {
        name: 'secret on the command line',
        args: () => [pipeline, '--step', 'build', '--connections', connections, '--variable', blobEndpoint(), '--variable', 'CONTEXT_STORAGE_KEY=abc'],
        message: /Secret variable\(s\) CONTEXT_STORAGE_KEY must not be given with --variable[^]*Set the environment variable\(s\) CONTEXT_STORAGE_KEY instead\./,
      },
      {
        name: 'unknown connection',
        args: () => [pipeline, '--step', 'buildTools', '--connections', connections, '--variable', blobEndpoint()],
        env: () => secretEnvironment,
        message: /Input kubernetesServiceConnection names the service connection other-cluster, but the connections file .* does not map it\. To fix this, add "other-cluster:" with kubeconfig: PATH to a connections file \(--connections FILE\), or pass --kubeconfig PATH\./,
      },
      { name: 'unknown option', args: () => [pipeline, '--stepp', 'build'], message: /Unknown option '--stepp'/ },
    ];
    for (const testCase of cases) {
      it(`rejects ${testCase.name}`, async () => {
        const result = await runCommand(testCase.args(), testCase.env?.() ?? {});
        assert.equal(result.code, 2, result.output);
        assert.match(result.output, testCase.message);
        assert.match(result.output, /Run with --help for the options\.$/m);
        assert.doesNotMatch(result.output, /^Running the KanikoBuild@1 step/m, 'nothing ran');
      });
    }
  });
});
