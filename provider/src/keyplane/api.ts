// The provider's calls to the control plane, on the shared typed client. Errors stay
// KeyplaneApiError (carrying the server's problem+json) so the resource code can turn them into
// diagnostics with the server's explanation.
import {
  createKeyplaneClient,
  KeyplaneApiError,
  newIdempotencyKey,
  unwrap,
  type ApiKey,
  type ApiKeyWithSecret,
  type KeyplaneClient,
  type Schemas,
} from '../../../client';

export interface ProviderSettings {
  readonly endpoint: string;
  readonly organizationId?: string;
  readonly apiKey: string;
}

export type PermissionResource = Schemas['PermissionResource'];

export class KeyplaneApi {
  private readonly client: KeyplaneClient;
  private catalog: { value?: Promise<PermissionResource[]> };

  constructor(
    private readonly settings: ProviderSettings,
    private readonly userAgent: string,
    signal?: AbortSignal,
    catalog: { value?: Promise<PermissionResource[]> } = {},
  ) {
    this.catalog = catalog;
    this.client = createKeyplaneClient({
      endpoint: settings.endpoint,
      credential: settings.apiKey,
      organizationId: settings.organizationId,
      userAgent,
      signal,
    });
  }

  /** The same API for one provider call: StopProvider aborts `signal`, cancelling requests and retries. */
  withSignal(signal: AbortSignal): KeyplaneApi {
    return new KeyplaneApi(this.settings, this.userAgent, signal, this.catalog);
  }

  me() {
    return unwrap(this.client.GET('/v1/me'));
  }

  /** The catalog, fetched once per provider process. */
  permissionCatalog(): Promise<PermissionResource[]> {
    const cached = (this.catalog.value ??= unwrap(this.client.GET('/v1/permissions')).then((c) => c.data));
    cached.catch(() => (this.catalog.value = undefined)); // a failure is not cached
    return cached;
  }

  createKey(body: Schemas['CreateApiKeyRequest']): Promise<ApiKeyWithSecret> {
    // One Idempotency-Key per intended key: the client's retries resend it, so a retried apply
    // never creates two keys.
    return unwrap(this.client.POST('/v1/api_keys', { body, params: { header: { 'Idempotency-Key': newIdempotencyKey() } } }));
  }

  /** The key, or undefined when it does not exist (or belongs to another organization). */
  async getKey(id: string): Promise<ApiKey | undefined> {
    try {
      return await unwrap(this.client.GET('/v1/api_keys/{id}', { params: { path: { id } } }));
    } catch (err) {
      if (err instanceof KeyplaneApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  updateKey(id: string, body: Schemas['UpdateApiKeyRequest']): Promise<ApiKey> {
    return unwrap(this.client.PATCH('/v1/api_keys/{id}', { params: { path: { id } }, body }));
  }

  /** Archives (or schedules the archive of) a key; a key already archived or gone is fine. */
  async archiveKey(id: string, gracePeriodSeconds: number): Promise<void> {
    try {
      await unwrap(
        this.client.POST('/v1/api_keys/{id}/archive', {
          params: { path: { id } },
          body: gracePeriodSeconds > 0 ? { grace_period_seconds: gracePeriodSeconds } : {},
        }),
      );
    } catch (err) {
      if (err instanceof KeyplaneApiError && (err.status === 404 || err.code === 'api_key_archived')) return;
      throw err;
    }
  }

  revealKey(id: string): Promise<ApiKeyWithSecret> {
    return unwrap(this.client.POST('/v1/api_keys/{id}/reveal', { params: { path: { id } } }));
  }

  async listKeys(filter: { includeArchived: boolean; name?: string }): Promise<ApiKey[]> {
    const keys: ApiKey[] = [];
    let cursor: string | undefined;
    do {
      const page = await unwrap(
        this.client.GET('/v1/api_keys', {
          params: { query: { per_page: 100, include_archived: filter.includeArchived, name: filter.name, after_cursor: cursor } },
        }),
      );
      keys.push(...page.data);
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    return keys;
  }
}
