// Bearer-token authentication and RBAC-like authorization. A token maps to a user with
// rules (verbs, resources, namespaces); a request no rule allows gets the 403 message that
// Kubernetes' RBAC authorizer produces.
import { randomBytes } from 'node:crypto';
import type { RequestInfo } from './request-info';
import { forbidden, unauthorized } from './status';

/**
 * Allows `verbs` on `resources` (with subresources written `pods/log`), in `namespaces` or,
 * when that is absent, in every namespace and at the cluster scope. `*` matches anything.
 */
export interface AccessRule {
  verbs: string[];
  resources: string[];
  namespaces?: string[];
}

export interface ClusterUser {
  name: string;
  rules: AccessRule[];
}

export const ADMIN_USER: ClusterUser = { name: 'local-cluster-admin', rules: [{ verbs: ['*'], resources: ['*'] }] };

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
  const resource = info.subresource ? `${info.resource}/${info.subresource}` : info.resource;
  const allowed = user.rules.some(
    (rule) =>
      matches(rule.verbs, info.verb) &&
      matches(rule.resources, resource) &&
      (rule.namespaces === undefined || (info.namespace !== '' && matches(rule.namespaces, info.namespace))),
  );
  if (allowed) return;
  const scope = info.namespace ? `in the namespace ${JSON.stringify(info.namespace)}` : 'at the cluster scope';
  const reason = `User ${JSON.stringify(user.name)} cannot ${info.verb} resource ${JSON.stringify(resource)} in API group "" ${scope}`;
  throw forbidden(info.resource, info.name, reason);
}

function matches(patterns: string[], value: string): boolean {
  return patterns.includes('*') || patterns.includes(value);
}
