// Bearer-token authentication and RBAC-like authorization. A token maps to a user with
// rules (verbs, API groups, resources, namespaces); a request no rule allows gets the 403
// message that Kubernetes' RBAC authorizer produces.
import { randomBytes } from 'node:crypto';
import type { RequestInfo } from './request-info';
import { forbidden, unauthorized } from './status';

/**
 * Allows `verbs` on `resources` (with subresources written `pods/log`) of `apiGroups`, in
 * `namespaces` or, when that is absent, in every namespace and at the cluster scope. `*`
 * matches anything.
 */
export interface AccessRule {
  verbs: string[];
  resources: string[];
  /** API groups the rule covers; default the core group `""` alone. */
  apiGroups?: string[];
  namespaces?: string[];
  /** Paths outside the API's resources (such as `/metrics`) that `verbs` are allowed on, as in a ClusterRole. */
  nonResourceURLs?: string[];
}

export interface ClusterUser {
  name: string;
  rules: AccessRule[];
  /**
   * Whether the user is bound to the `system:basic-user` ClusterRole, which a default cluster
   * binds to every authenticated user; default true.
   */
  basicUser?: boolean;
}

/** The action that a request or a SelfSubjectAccessReview names, as Kubernetes' authorizer.Attributes. */
export interface AccessAttributes {
  verb: string;
  apiGroup: string;
  resource: string;
  subresource: string;
  namespace: string;
}

export const ADMIN_USER: ClusterUser = {
  name: 'local-cluster-admin',
  rules: [{ verbs: ['*'], resources: ['*'], apiGroups: ['*'], nonResourceURLs: ['*'] }],
};

/**
 * The rules of the `system:basic-user` ClusterRole (Kubernetes plugin/pkg/auth/authorizer/rbac/
 * bootstrappolicy/policy.go), which let a user ask what it may do.
 */
const BASIC_USER_RULES: AccessRule[] = [
  { verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'] },
  { verbs: ['create'], apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'] },
];

/**
 * Paths that the `system:discovery` and `system:public-info-viewer` ClusterRoles open to every
 * authenticated user; a trailing `*` matches any rest of the path.
 */
const DISCOVERY_PATHS = ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/readyz', '/version', '/version/', '/openapi', '/openapi/*'];

/** Maps a bearer token that no user was issued, such as an Entra ID token, to a user; undefined rejects it. */
export type TokenVerifier = (token: string) => ClusterUser | undefined;

export class TokenAuthenticator {
  private readonly users = new Map<string, ClusterUser>();
  private readonly verifiers: TokenVerifier[] = [];

  /** Accepts tokens that `verify` maps to a user, as a webhook token authenticator does (AKS with Entra ID). */
  addVerifier(verify: TokenVerifier): void {
    this.verifiers.push(verify);
  }

  /** Registers a user under a new random token and returns the token. */
  issueToken(user: ClusterUser): string {
    const token = randomBytes(24).toString('base64url');
    this.users.set(token, user);
    return token;
  }

  /** Returns the user of an `Authorization: Bearer` header; throws 401 when there is none. */
  authenticate(authorization: string | undefined): ClusterUser {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    const token = match?.[1];
    const user = token ? this.users.get(token) ?? this.verify(token) : undefined;
    if (!user) throw unauthorized();
    return user;
  }

  private verify(token: string): ClusterUser | undefined {
    for (const verify of this.verifiers) {
      const user = verify(token);
      if (user) return user;
    }
    return undefined;
  }
}

/**
 * Throws 403 unless a rule allows the request. Discovery and health paths are open to every
 * authenticated user, as the system:discovery and system:public-info-viewer roles make them.
 */
export function authorize(user: ClusterUser, info: RequestInfo): void {
  if (!info.isResourceRequest) return;
  if (isAllowed(user, info)) return;
  const resource = info.subresource ? `${info.resource}/${info.subresource}` : info.resource;
  const scope = info.namespace ? `in the namespace ${JSON.stringify(info.namespace)}` : 'at the cluster scope';
  const reason =
    `User ${JSON.stringify(user.name)} cannot ${info.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(info.apiGroup)} ${scope}`;
  // apimachinery's NewForbidden names a resource outside the core group with its group, as `resource.group`.
  throw forbidden(info.apiGroup ? `${info.resource}.${info.apiGroup}` : info.resource, info.name, reason);
}

/** Decides whether the user's rules, or the basic-user role, allow a resource request. */
export function isAllowed(user: ClusterUser, attributes: AccessAttributes): boolean {
  const resource = attributes.subresource ? `${attributes.resource}/${attributes.subresource}` : attributes.resource;
  const rules = user.basicUser === false ? user.rules : [...user.rules, ...BASIC_USER_RULES];
  return rules.some(
    (rule) =>
      matches(rule.verbs, attributes.verb) &&
      matches(rule.apiGroups ?? [''], attributes.apiGroup) &&
      matches(rule.resources, resource) &&
      (rule.namespaces === undefined || (attributes.namespace !== '' && matches(rule.namespaces, attributes.namespace))),
  );
}

/** Decides whether the user may send `verb` to a path outside the API's resources. */
export function isNonResourceAllowed(user: ClusterUser, path: string, verb: string): boolean {
  if (verb === 'get' && DISCOVERY_PATHS.some((pattern) => pathMatches(pattern, path))) return true;
  return user.rules.some(
    (rule) => matches(rule.verbs, verb) && (rule.nonResourceURLs ?? []).some((pattern) => pathMatches(pattern, path)),
  );
}

function matches(patterns: string[], value: string): boolean {
  return patterns.includes('*') || patterns.includes(value);
}

function pathMatches(pattern: string, path: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('*')) return path.startsWith(pattern.slice(0, -1));
  return pattern === path;
}
