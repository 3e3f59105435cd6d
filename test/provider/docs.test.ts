// The registry docs are generated from the schema; this fails when someone edits one without the other.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { renderDocs } from '../../scripts/generate-provider-docs';

const DOCS = resolve(__dirname, '..', '..', 'provider', 'docs');

describe('provider docs', () => {
  const docs = renderDocs();

  it('cover the provider, every resource, data source and ephemeral resource', () => {
    expect([...docs.keys()].sort()).toEqual([
      'data-sources/api_key.md',
      'data-sources/api_keys.md',
      'data-sources/permissions.md',
      'ephemeral-resources/api_key_secret.md',
      'index.md',
      'resources/api_key.md',
    ]);
    expect(docs.get('resources/api_key.md')).toContain('tofu import keyplane_api_key.');
    expect(docs.get('resources/api_key.md')).toContain('secret_revealed');
  });

  it.each([...renderDocs().keys()])('%s matches the schema (run npx tsx scripts/generate-provider-docs.ts)', (name) => {
    const file = join(DOCS, name);
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(docs.get(name));
  });
});
