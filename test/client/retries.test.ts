// The shared client retries transient failures only where a repeat cannot do more than the first try.
import { createKeyplaneClient, KeyplaneApiError, unwrap } from '../../client';

function flakyFetch(failures: number) {
  const calls: string[] = [];
  const fake = (async (input: Request) => {
    calls.push(`${input.method} ${new URL(input.url).pathname} ${input.headers.get('idempotency-key') ?? ''}`.trim());
    if (calls.length <= failures) return new Response('{}', { status: 503, headers: { 'content-type': 'application/json' } });
    return new Response('{"data":[],"next_cursor":null}', { status: 200, headers: { 'content-type': 'application/json' } });
  }) as unknown as typeof fetch;
  return { fake, calls };
}

const client = (f: typeof fetch) => createKeyplaneClient({ endpoint: 'http://keyplane.test', credential: 'kp_x', fetch: f, baseDelayMs: 1 });

describe('client retries', () => {
  it('retries a GET and a create that carries an Idempotency-Key, resending the same key', async () => {
    const get = flakyFetch(2);
    await unwrap(client(get.fake).GET('/v1/api_keys'));
    expect(get.calls).toHaveLength(3);
    const create = flakyFetch(1);
    await unwrap(client(create.fake).POST('/v1/api_keys', { body: { name: 'x', permissions: ['*:read'] }, params: { header: { 'Idempotency-Key': 'k1' } } }));
    expect(create.calls).toEqual(['POST /v1/api_keys k1', 'POST /v1/api_keys k1']);
  });

  it('never retries a POST that could take effect twice, nor a PATCH', async () => {
    const users = flakyFetch(1);
    await expect(unwrap(client(users.fake).POST('/v1/users', { body: { email: 'a@example.com', role: 'member', developers_permission: 'none' } }))).rejects.toBeInstanceOf(KeyplaneApiError);
    expect(users.calls).toHaveLength(1);
    const patch = flakyFetch(1);
    await expect(unwrap(client(patch.fake).PATCH('/v1/api_keys/{id}', { params: { path: { id: 'key_x' } }, body: { name: 'y' } }))).rejects.toMatchObject({ status: 503 });
    expect(patch.calls).toHaveLength(1);
  });

  it('gives up after maxAttempts', async () => {
    const down = flakyFetch(10);
    await expect(unwrap(client(down.fake).GET('/v1/me'))).rejects.toMatchObject({ status: 503 });
    expect(down.calls).toHaveLength(4);
  });
});
