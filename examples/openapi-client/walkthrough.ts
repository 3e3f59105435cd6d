// The README walkthrough with a typed client: openapi-fetch and the types generated from
// openapi.yaml. Paths, parameters, bodies, responses and problems are all typed, so a wrong path
// or a misspelt field does not compile.
//
//   KEYPLANE_ORGANIZATION_ID=org_… KEYPLANE_ADMIN_TOKEN=kpu_… npx tsx examples/openapi-client/walkthrough.ts
//
// Exits 0 when every call answered as expected, 1 otherwise. Prints IDs and prefixes, never a secret.
import { createKeyplaneClient, newIdempotencyKey, unwrap, type KeyplaneClient, type Schemas } from '../../client';

const endpoint = process.env.KEYPLANE_ENDPOINT ?? 'http://127.0.0.1:4000';
const organizationId = required('KEYPLANE_ORGANIZATION_ID');
const adminToken = required('KEYPLANE_ADMIN_TOKEN');

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is not set: export the value \`npm start\` printed on its first start`);
    process.exit(2);
  }
  return value;
}

function expectThat(condition: boolean, what: string): void {
  if (!condition) throw new Error(`unexpected: ${what}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  // The admin authenticates with the user token as a bearer token.
  const admin = createKeyplaneClient({ endpoint, credential: adminToken, userAgent: 'keyplane-example-openapi-client' });

  // 1. Create a read-only key. The Idempotency-Key makes a retried create return the same key
  //    instead of a second one; the response is the only time the secret is shown unaudited.
  const request: Schemas['CreateApiKeyRequest'] = { name: 'read-only demo via openapi-fetch', permissions: ['*:read'] };
  const created = await unwrap(
    admin.POST('/v1/api_keys', { params: { header: { 'Idempotency-Key': newIdempotencyKey() } }, body: request }),
  );
  console.log(`1. created ${created.id} "${created.name}" with ${created.permissions.join(', ')} (prefix ${created.prefix})`);

  // 2. Use it. A key authenticates as HTTP Basic organization_id:secret.
  const key: KeyplaneClient = createKeyplaneClient({
    endpoint,
    organizationId,
    credential: created.secret,
    userAgent: 'keyplane-example-openapi-client',
  });
  const me = await unwrap(key.GET('/v1/me'));
  expectThat(me.principal.type === 'api_key' && me.principal.id === created.id, 'GET /v1/me names the key');
  const listed = await unwrap(key.GET('/v1/api_keys', { params: { query: { per_page: 100 } } }));
  console.log(`2. as the key: GET /v1/me → ${me.principal.type} ${me.principal.id} holding ${me.permissions.join(', ')}; GET /v1/api_keys → 200, active keys: ${listed.data.length}`);

  // 3. The key's request log. Entries are written in batches (every second by default): poll.
  let log: Schemas['RequestLogEntry'][] = [];
  for (let attempt = 0; attempt < 50 && log.length < 2; attempt++) {
    if (attempt > 0) await sleep(200);
    const page = await unwrap(admin.GET('/v1/api_keys/{id}/request_logs', { params: { path: { id: created.id } } }));
    log = page.data;
  }
  expectThat(log.some((e) => e.method === 'GET' && e.path === '/v1/me' && e.status === 200), 'GET /v1/me in the request log');
  expectThat(log.some((e) => e.method === 'GET' && e.path === '/v1/api_keys' && e.status === 200), 'GET /v1/api_keys in the request log');
  console.log(`3. request log of ${created.id}: ${log.map((e) => `${e.method} ${e.path} ${e.status}`).join('; ')}`);

  // 4. A write is refused: creating a key needs api_keys:write. Without unwrap, the problem
  //    document is the typed `error`.
  const write = await key.POST('/v1/api_keys', { body: { name: 'sneaky', permissions: ['*:read'] } });
  expectThat(write.response.status === 403 && write.error?.code === 'forbidden', 'the write is refused with 403 forbidden');
  console.log(`4. as the key: POST /v1/api_keys → ${write.response.status} ${write.error?.code} (missing ${write.error?.missing_permissions?.join(', ')})`);

  // 5. Archive it with the admin token. (`body: { grace_period_seconds: 3600 }` would keep it
  //    working for an hour, for a rotation.)
  const archived = await unwrap(admin.POST('/v1/api_keys/{id}/archive', { params: { path: { id: created.id } } }));
  expectThat(archived.status === 'archived', 'the key is archived');
  console.log(`5. archived ${archived.id} at ${archived.archived_at}`);

  // 6. Refused after: 401, without saying why; the request log says why.
  const after = await key.GET('/v1/me');
  expectThat(after.response.status === 401 && after.error?.code === 'unauthenticated', 'the archived key is refused with 401');
  let reason: string | null | undefined;
  for (let attempt = 0; attempt < 50 && reason === undefined; attempt++) {
    if (attempt > 0) await sleep(200);
    const page = await unwrap(
      admin.GET('/v1/api_keys/{id}/request_logs', { params: { path: { id: created.id }, query: { status: 401 } } }),
    );
    reason = page.data[0]?.decision_reason;
  }
  expectThat(reason === 'archived', 'the request log gives the reason');
  console.log(`6. as the key: GET /v1/me → ${after.response.status} ${after.error?.code}; the request log says: ${reason}`);

  // The audit trail (admins only) holds the key's life.
  const trail = await unwrap(admin.GET('/v1/api_keys/{id}/audit_events', { params: { path: { id: created.id } } }));
  console.log(`   audit trail of ${created.id}: ${trail.data.map((e) => e.action).reverse().join(', ')}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
