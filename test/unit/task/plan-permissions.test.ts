// The permissions a run needs and the example Role that grants them.
import { strict as assert } from 'node:assert';
import { parse } from 'yaml';
import { describePermission, exampleRole, requiredPermissions } from '../../../tasks/KanikoBuildV1/src/plan/permissions';
import { buildPlan } from '../../../tasks/KanikoBuildV1/src/plan/plan';
import { sampleSettings, type SettingsChanges } from './support/settings';

function permissionsFor(changes: SettingsChanges = {}): string[] {
  const settings = sampleSettings(changes);
  return requiredPermissions(settings, buildPlan(settings, 'abcd1234')).map(
    (permission) => `${permission.verb} ${permission.resource} @${permission.namespace}${permission.optional ? ` (${permission.optional})` : ''}`,
  );
}

describe('plan: permissions', () => {
  it('default run', () => {
    assert.deepEqual(permissionsFor(), [
      'create pods @builds', 'get pods @builds', 'watch pods @builds', 'delete pods @builds',
      'list pods @builds (postJobCleanup)',
      'get pods/log @builds (log)',
      'create secrets @builds', 'delete secrets @builds', 'patch secrets @builds (ownerReferences)',
      'list secrets @builds (postJobCleanup)',
      'list events @builds (events)',
    ]);
  });

  it('direct delivery needs pods/attach', () => {
    const permissions = permissionsFor({ context: { delivery: 'direct', downloadImage: '', retentionDays: 0 } });

    assert.ok(permissions.includes('get pods/attach @builds'));
    assert.ok(permissions.includes('create pods/attach @builds'));
  });

  it('service account input reads the account, optionally', () => {
    assert.ok(permissionsFor({ pod: { serviceAccount: 'kaniko-builder' } }).includes('get serviceaccounts @builds (serviceAccountCheck)'));
  });

  it('new namespace needs namespaces and the service account', () => {
    const permissions = permissionsFor({ pod: { namespace: 'kaniko', createNamespace: true } });

    assert.equal(permissions[0], 'create namespaces @');
    assert.equal(permissions[1], 'delete namespaces @kaniko-abcd1234');
    assert.ok(permissions.includes('create pods @kaniko-abcd1234'));
    assert.ok(permissions.includes('get serviceaccounts @kaniko-abcd1234'));
  });

  it('descriptions name verb, resource and scope', () => {
    assert.equal(describePermission({ verb: 'create', resource: 'pods', namespace: 'builds' }), 'create pods in namespace builds');
    assert.equal(describePermission({ verb: 'create', resource: 'namespaces', namespace: '' }), 'create namespaces at the cluster scope');
    assert.equal(describePermission({ verb: 'delete', resource: 'namespaces', namespace: 'kaniko-1', name: 'kaniko-1' }),
      'delete namespaces (the namespace kaniko-1 itself)');
  });

  it('example Role is valid YAML with every permission', () => {
    const settings = sampleSettings({ context: { delivery: 'direct', downloadImage: '', retentionDays: 0 } });
    const plan = buildPlan(settings, 'abcd1234');
    const role = parse(exampleRole(requiredPermissions(settings, plan), 'builds', false)) as {
      kind: string; metadata: { name: string; namespace?: string }; rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
    };

    assert.equal(role.kind, 'Role');
    assert.equal(role.metadata.namespace, 'builds');
    assert.deepEqual(role.rules.map((rule) => `${rule.resources.join()}: ${rule.verbs.join()}`), [
      'pods: create,get,watch,delete,list', 'pods/log: get', 'secrets: create,delete,patch,list', 'pods/attach: get,create',
      'events: list',
    ]);
    for (const rule of role.rules) assert.deepEqual(rule.apiGroups, ['']);
  });

  it('example for a new namespace is a ClusterRole', () => {
    const settings = sampleSettings({ pod: { namespace: 'kaniko', createNamespace: true } });
    const role = parse(exampleRole(requiredPermissions(settings, buildPlan(settings, 'abcd1234')), 'kaniko-abcd1234', true)) as {
      kind: string; metadata: { namespace?: string }; rules: { resources: string[]; verbs: string[] }[];
    };

    assert.equal(role.kind, 'ClusterRole');
    assert.equal(role.metadata.namespace, undefined);
    assert.deepEqual(role.rules[0], { apiGroups: [''], resources: ['namespaces'], verbs: ['create', 'delete', 'list'] });
  });
});
