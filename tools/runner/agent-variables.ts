// The folders and predefined variables an agent gives a build job, laid out like a
// self-hosted agent's `_work` tree in a fresh temporary folder per run.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentDirectories } from './types';

/** Agent version reported to tasks; a released v4 agent (tag v4.275.0 of microsoft/azure-pipelines-agent). */
export const AGENT_VERSION = '4.275.0';

/**
 * Collection URL given to tasks. It is a loopback address on the discard port, so a task that
 * calls it by mistake fails at once, and no DNS name is looked up.
 */
export const COLLECTION_URI = 'http://127.0.0.1:9/local-collection/';

const TEAM_PROJECT_ID = '6f1c2b6e-2d4a-4a49-9a3e-0c8f1e2d7b10';
const PLAN_ID = '2b9c1a57-8f0e-4d6b-a3c4-5e7f9d1b2c3a';
const JOB_ID = '12f1170f-54f2-53f3-20dd-22fc7dff55f9';

/** Creates the run's folders. `sourcesDirectory` replaces the empty `s` folder when given. */
export function createAgentDirectories(sourcesDirectory?: string): AgentDirectories {
  const root = mkdtempSync(join(tmpdir(), 'task-run-'));
  const workFolder = join(root, '_work');
  const buildDirectory = join(workFolder, '1');
  const directories: AgentDirectories = {
    root,
    home: join(root, 'home'),
    agentHome: join(root, 'agent'),
    workFolder,
    buildDirectory,
    sourcesDirectory: sourcesDirectory ?? join(buildDirectory, 's'),
    artifactStagingDirectory: join(buildDirectory, 'a'),
    binariesDirectory: join(buildDirectory, 'b'),
    tempDirectory: join(workFolder, '_temp'),
    toolsDirectory: join(workFolder, '_tool'),
  };
  for (const [name, folder] of Object.entries(directories)) {
    if (name === 'sourcesDirectory' && sourcesDirectory !== undefined) continue;
    mkdirSync(folder, { recursive: true });
  }
  return directories;
}

/** Names of the step that runs, which the agent sets as variables for the task (TaskRunner.cs). */
export interface StepNames {
  /** System.TaskInstanceId: the step's GUID, the same in every stage of the step. */
  instanceId: string;
  /** System.TaskDisplayName and Task.DisplayName. */
  displayName: string;
  /** System.TaskInstanceName: the step's reference name, such as `build`. */
  referenceName: string;
}

/** Returns the variables the agent sets for one step. */
export function stepVariables(step: StepNames): Record<string, string> {
  return {
    'system.taskinstanceid': step.instanceId,
    'system.taskdisplayname': step.displayName,
    'system.taskinstancename': step.referenceName,
    'task.displayname': step.displayName,
  };
}

/** Returns the predefined variables of a build job, by their dotted names. */
export function defaultVariables(directories: AgentDirectories): Record<string, string> {
  return {
    'agent.version': AGENT_VERSION,
    'agent.name': 'local-runner',
    'agent.id': '1',
    'agent.machinename': 'local-runner',
    'agent.os': agentOs(),
    'agent.osarchitecture': process.arch === 'arm64' ? 'ARM64' : 'X64',
    'agent.homedirectory': directories.agentHome,
    'agent.workfolder': directories.workFolder,
    'agent.rootdirectory': directories.workFolder,
    'agent.builddirectory': directories.buildDirectory,
    'agent.tempdirectory': directories.tempDirectory,
    'agent.toolsdirectory': directories.toolsDirectory,
    'agent.jobname': 'Job',
    'agent.jobstatus': 'Succeeded',
    'system.hosttype': 'build',
    'system.servertype': 'Hosted',
    'system.culture': 'en-US',
    'system.collectionuri': COLLECTION_URI,
    'system.teamfoundationcollectionuri': COLLECTION_URI,
    'system.teamfoundationserveruri': COLLECTION_URI,
    'system.taskdefinitionsuri': COLLECTION_URI,
    'system.teamproject': 'kaniko-build-on-aks',
    'system.teamprojectid': TEAM_PROJECT_ID,
    'system.collectionid': 'c3a1e5f0-9b7d-4e2c-8a6f-1d3b5c7e9f20',
    'system.definitionid': '7',
    'system.planid': PLAN_ID,
    'system.timelineid': PLAN_ID,
    'system.jobid': JOB_ID,
    'system.jobname': 'Job',
    'system.jobattempt': '1',
    'system.phasename': 'Job',
    'system.stagename': '__default',
    'system.defaultworkingdirectory': directories.sourcesDirectory,
    'system.workfolder': directories.workFolder,
    'system.artifactsdirectory': directories.artifactStagingDirectory,
    'system.oidcrequesturi': `${COLLECTION_URI}${TEAM_PROJECT_ID}/_apis/distributedtask/hubs/build/plans/${PLAN_ID}/jobs/${JOB_ID}/oidctoken`,
    'build.buildid': '1234',
    'build.buildnumber': '20260101.1',
    'build.builduri': 'vstfs:///Build/Build/1234',
    'build.definitionname': 'kaniko-build-on-aks-ci',
    'build.definitionversion': '1',
    'build.reason': 'Manual',
    'build.requestedfor': 'Local Runner',
    'build.queuedby': 'Local Runner',
    'build.repository.name': 'kaniko-build-on-aks',
    'build.repository.provider': 'TfsGit',
    // Azure Repos clone URLs carry the organization as the user name.
    'build.repository.uri': 'http://local-runner@127.0.0.1:9/local-collection/kaniko-build-on-aks/_git/kaniko-build-on-aks',
    'build.repository.localpath': directories.sourcesDirectory,
    'build.sourcebranch': 'refs/heads/main',
    'build.sourcebranchname': 'main',
    'build.sourceversion': '0123456789abcdef0123456789abcdef01234567',
    'build.sourcesdirectory': directories.sourcesDirectory,
    'build.artifactstagingdirectory': directories.artifactStagingDirectory,
    'build.stagingdirectory': directories.artifactStagingDirectory,
    'build.binariesdirectory': directories.binariesDirectory,
    'pipeline.workspace': directories.buildDirectory,
  };
}

function agentOs(): string {
  if (process.platform === 'win32') return 'Windows_NT';
  if (process.platform === 'darwin') return 'Darwin';
  return 'Linux';
}
