// The contents of the emulated registries, shared by every pod of the node: the images that
// kaniko pushed with their config's labels, the layers in kaniko's cache repositories, and the
// faults that tests give a registry.

/** An image as a registry stores it under a tag. */
export interface StoredImage {
  digest: string;
  /** The labels of the image's config. */
  labels: Record<string, string>;
  /** The `created` time of the image's config. */
  created: Date;
}

export class RegistryStore {
  /** Images by `registry/repository:tag`, with Docker Hub as `index.docker.io`. */
  private readonly images = new Map<string, StoredImage>();
  /** Manifest uploads left to reject, by registry host. */
  private readonly pushFailures = new Map<string, number>();
  private readonly plainHttpRegistries = new Set<string>();

  /** Stores `image` under `reference`, which is `registry/repository:tag`. */
  put(reference: string, image: StoredImage): void {
    this.images.set(reference, image);
  }

  /** Returns the image under `registry/repository:tag`, if any. */
  get(reference: string): StoredImage | undefined {
    return this.images.get(reference);
  }

  /** Returns the stored references under `registry/repository`, sorted. */
  tagsOf(repository: string): string[] {
    return [...this.images.keys()].filter((reference) => reference.startsWith(`${repository}:`)).sort();
  }

  /**
   * Makes the registry reject the next `count` manifest uploads with 400 MANIFEST_BLOB_UNKNOWN, as
   * a registry does whose storage does not show the just uploaded layers yet. go-containerregistry
   * retries only temporary errors such as 5xx itself, so only kaniko's --push-retry retries this.
   */
  failManifestUploads(registry: string, count: number): void {
    this.pushFailures.set(registry, count);
  }

  /** Returns whether the registry rejects this manifest upload, and counts it. */
  takeManifestUploadFailure(registry: string): boolean {
    const remaining = this.pushFailures.get(registry) ?? 0;
    if (remaining <= 0) return false;
    this.pushFailures.set(registry, remaining - 1);
    return true;
  }

  /** Makes the registry serve plain HTTP only, as a registry without TLS. */
  servePlainHttp(registry: string): void {
    this.plainHttpRegistries.add(registry);
  }

  /**
   * Returns Go's error for an HTTPS request to a registry that serves plain HTTP only, unless
   * kaniko reaches it over HTTP (`insecure`: --insecure-registry, or --insecure and --insecure-pull).
   * go-containerregistry falls back from HTTPS to HTTP only for such registries (transport/ping.go).
   */
  plainHttpProblem(registry: string, insecure: boolean): string | undefined {
    if (!this.plainHttpRegistries.has(registry) || insecure) return undefined;
    return `Get "https://${registry}/v2/": http: server gave HTTP response to HTTPS client`;
  }
}
