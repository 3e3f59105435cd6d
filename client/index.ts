// The one typed client for the Keyplane API, shared by the provider, the examples and the tests.
// Types come from `client/schema.d.ts`, generated from openapi.yaml (`npm run generate`).
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import { randomUUID } from 'node:crypto';
import type { components, paths } from './schema';

export type { components, paths } from './schema';
export type Schemas = components['schemas'];
export type ApiKey = Schemas['ApiKey'];
export type ApiKeyWithSecret = Schemas['ApiKeyWithSecret'];
export type Problem = Schemas['Problem'];
export type KeyplaneClient = Client<paths>;

export interface ClientOptions {
  /** Base URL of the control plane, e.g. `http://127.0.0.1:4000`. */
  readonly endpoint: string;
  /** An API key secret or a user token. */
  readonly credential: string;
  /** With an organization ID the credential is sent as HTTP Basic `org:secret`, otherwise as a bearer token. */
  readonly organizationId?: string;
  readonly userAgent?: string;
  /** Attempts for transient failures (network errors, 429, 502, 503, 504). @default 4 */
  readonly maxAttempts?: number;
  /** First backoff delay in ms; doubles per attempt, with jitter. @default 250 */
  readonly baseDelayMs?: number;
  /** Aborts in-flight requests and pending retries. */
  readonly signal?: AbortSignal;
  readonly fetch?: typeof fetch;
}

/** A problem+json answer (or a transport failure) turned into an exception with the server's explanation. */
export class KeyplaneApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'KeyplaneApiError';
  }
  get code(): string | undefined {
    return this.problem?.code;
  }
}

const TRANSIENT_STATUS = new Set([429, 502, 503, 504]);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
// POSTs whose repetition changes nothing more than the first one did.
const REPEATABLE_POST = /\/(archive|reveal|authorize)$/;

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(timer); reject(signal.reason); }, { once: true });
  });
}

/**
 * A fetch that retries transient failures. POSTs are retried only when they carry an
 * Idempotency-Key (create) or are naturally repeatable (archive, reveal, authorize); PATCH and
 * other POSTs (users, tokens) never, since a lost answer does not mean the change did not happen.
 */
function retryingFetch(opts: ClientOptions): typeof fetch {
  const base = opts.fetch ?? fetch;
  const maxAttempts = opts.maxAttempts ?? 4;
  const baseDelay = opts.baseDelayMs ?? 250;
  return async (input, init) => {
    const request = new Request(input, init);
    const repeatable =
      SAFE_METHODS.has(request.method) ||
      (request.method === 'POST' && (request.headers.has('Idempotency-Key') || REPEATABLE_POST.test(new URL(request.url).pathname)));
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= maxAttempts || !repeatable;
      try {
        const response = await base(request.clone(), { signal: opts.signal });
        if (last || !TRANSIENT_STATUS.has(response.status)) return response;
        const retryAfter = Number(response.headers.get('retry-after'));
        await response.body?.cancel();
        await sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : backoff(baseDelay, attempt), opts.signal);
      } catch (err) {
        if (last || opts.signal?.aborted) throw err;
        await sleep(backoff(baseDelay, attempt), opts.signal);
      }
    }
  };
}

function backoff(base: number, attempt: number): number {
  const exp = base * 2 ** (attempt - 1);
  return exp / 2 + Math.random() * (exp / 2);
}

export function createKeyplaneClient(opts: ClientOptions): KeyplaneClient {
  const client = createClient<paths>({
    baseUrl: opts.endpoint.replace(/\/+$/, ''),
    fetch: retryingFetch(opts),
  });
  const authorization = opts.organizationId
    ? `Basic ${Buffer.from(`${opts.organizationId}:${opts.credential}`).toString('base64')}`
    : `Bearer ${opts.credential}`;
  const auth: Middleware = {
    onRequest({ request }) {
      request.headers.set('Authorization', authorization);
      request.headers.set('Accept', 'application/json, application/problem+json');
      if (opts.userAgent) request.headers.set('User-Agent', opts.userAgent);
      if (!request.headers.has('X-Request-Id')) request.headers.set('X-Request-Id', `req_${randomUUID().replace(/-/g, '')}`);
      return request;
    },
  };
  client.use(auth);
  return client;
}

/** A new Idempotency-Key for a create that may be retried. */
export function newIdempotencyKey(): string {
  return randomUUID();
}

type FetchResult<T> = { data?: T; error?: unknown; response: Response };

/** Turns openapi-fetch's `{ data, error }` into the data or a KeyplaneApiError. */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<T> {
  let result: FetchResult<T>;
  try {
    result = await call;
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    throw new KeyplaneApiError(0, undefined, `could not reach the Keyplane control plane: ${cause}`);
  }
  const { data, error, response } = result;
  if (response.ok) return data as T;
  const problem = isProblem(error) ? error : undefined;
  const detail = problem ? `${problem.title}: ${problem.detail}` : `HTTP ${response.status}`;
  throw new KeyplaneApiError(response.status, problem, detail);
}

function isProblem(value: unknown): value is Problem {
  return typeof value === 'object' && value !== null && 'code' in value && 'detail' in value;
}
