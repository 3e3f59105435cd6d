// Provider settings: every problem names the attribute and the variable, and never echoes a secret.
import { resolveSettings } from '../../provider/src/keyplane/settings';

const SECRET = 'kp_0123456789abcdefghijABCDEFGHIJ0123456789abcdef';

describe('provider settings', () => {
  it('falls back to the environment and strips a trailing slash', () => {
    const r = resolveSettings({}, { KEYPLANE_ENDPOINT: 'http://127.0.0.1:4000/', KEYPLANE_API_KEY: SECRET });
    expect(r.settings).toEqual({ endpoint: 'http://127.0.0.1:4000', apiKey: SECRET, organizationId: undefined });
  });

  it('prefers the configuration over the environment', () => {
    const r = resolveSettings({ endpoint: 'https://keys.example.com' }, { KEYPLANE_ENDPOINT: 'http://other', KEYPLANE_API_KEY: SECRET });
    expect(r.settings?.endpoint).toBe('https://keys.example.com');
  });

  it('names each missing setting and its variable', () => {
    const r = resolveSettings({}, {});
    expect(r.problems.map((p) => p.attribute)).toEqual(['endpoint', 'api_key']);
    expect(r.problems[0].detail).toContain('KEYPLANE_ENDPOINT');
    expect(r.problems[1].detail).toContain('KEYPLANE_API_KEY');
  });

  it.each([
    [{ endpoint: `http://admin:${SECRET}@127.0.0.1:4000`, api_key: SECRET }, 'endpoint', /must not carry a user name or password/],
    [{ endpoint: `htp://admin:${SECRET}@127.0.0.1`, api_key: SECRET }, 'endpoint', /http:\/\/ or https:\/\//],
    [{ endpoint: 'http://127.0.0.1:4000', organization_id: SECRET, api_key: SECRET }, 'organization_id', /org_/],
  ])('refuses %j without echoing the secret', (raw, attribute, message) => {
    const r = resolveSettings(raw, {});
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0].attribute).toBe(attribute);
    expect(r.problems[0].detail).toMatch(message);
    expect(JSON.stringify(r.problems)).not.toContain(SECRET.slice(3, 20));
  });
});
