// The API server's service account token issuer: signed JWTs with the claims of Kubernetes'
// bound tokens (pkg/serviceaccount/claims.go, Kubernetes 1.34), as the TokenRequest API
// returns them for projected `serviceAccountToken` volumes. An identity provider that trusts
// the issuer, such as Entra ID through a federated identity credential, checks them with the
// public key.
import { randomUUID } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { decodeJwt, hasValidSignature, type JwtClaims, JwtSigningKey } from '../../../azure-fakes/shared/jwt';

/** The issuer that kube-apiserver documents as the usual `--service-account-issuer` value. */
export const DEFAULT_SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
const DEFAULT_EXPIRATION_SECONDS = 3600;

export interface BoundTokenSubject {
  namespace: string;
  serviceAccount: { name: string; uid: string };
  pod: { name: string; uid: string };
  node: { name: string; uid: string };
}

export class ServiceAccountTokenIssuer {
  private constructor(
    /** The `iss` claim; with AKS's OIDC issuer feature this is the cluster's issuer URL. */
    readonly issuer: string,
    private readonly key: JwtSigningKey,
  ) {}

  static async create(issuer = DEFAULT_SERVICE_ACCOUNT_ISSUER): Promise<ServiceAccountTokenIssuer> {
    return new ServiceAccountTokenIssuer(issuer, await JwtSigningKey.generate());
  }

  get keyId(): string {
    return this.key.keyId;
  }

  get publicKey(): KeyObject {
    return this.key.publicKey;
  }

  /** Issues a token for `subject`; an empty audience means the API server's own, its issuer. */
  issue(subject: BoundTokenSubject, audience: string | undefined, expirationSeconds = DEFAULT_EXPIRATION_SECONDS, nowMs = Date.now()): string {
    const now = Math.floor(nowMs / 1000);
    return this.key.sign({
      aud: [audience || this.issuer],
      exp: now + expirationSeconds,
      iat: now,
      iss: this.issuer,
      jti: randomUUID(),
      'kubernetes.io': {
        namespace: subject.namespace,
        node: subject.node,
        pod: subject.pod,
        serviceaccount: subject.serviceAccount,
      },
      nbf: now,
      sub: `system:serviceaccount:${subject.namespace}:${subject.serviceAccount.name}`,
    });
  }

  /** Returns the claims of a token this issuer signed, or undefined for any other text. It does not check expiry. */
  verify(token: string): JwtClaims | undefined {
    const jwt = decodeJwt(token.trim());
    if (!jwt || jwt.header.kid !== this.key.keyId || !hasValidSignature(jwt, this.key.publicKey)) return undefined;
    return jwt.claims;
  }
}
