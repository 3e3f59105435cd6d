// The keyplane provider: settings, and the resource, data sources and ephemeral resource it serves.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { diag, type Diagnostic } from '../plugin/diagnostics';
import { defineProvider } from '../plugin/framework';
import { t } from '../plugin/types';
import { isWhollyKnown } from '../plugin/values';
import { KeyplaneApi } from './api';
import { apiDiagnostic, type KeyplaneProviderData } from './common';
import { apiKeyDataSource, apiKeysDataSource, permissionsDataSource } from './data-sources';
import { apiKeySecretEphemeral } from './ephemeral-api-key-secret';
import { apiKeyResource } from './resource-api-key';
import { resolveSettings, SETTING_ENV } from './settings';

/** The version in the repository's package.json, found from both src/ (tests) and dist/ (builds). */
function packageVersion(): string {
  for (let dir = __dirname; dirname(dir) !== dir; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'keyplane' && pkg.version) return pkg.version;
    }
  }
  return '0.0.0';
}

export const PROVIDER_VERSION = packageVersion();

export const keyplaneProvider = defineProvider<KeyplaneProviderData>({
  name: 'keyplane',
  version: PROVIDER_VERSION,
  schema: {
    description: 'Manage Keyplane permissioned API keys as code.',
    attributes: {
      endpoint: { type: t.string, optional: true, description: `URL of the Keyplane control plane, e.g. \`http://127.0.0.1:4000\`. Falls back to \`${SETTING_ENV.endpoint}\`.` },
      organization_id: {
        type: t.string,
        optional: true,
        description: `The organization ID (\`org_…\`). With it, the key is sent as HTTP Basic \`organization_id:api_key\`; without it, as a bearer token. Falls back to \`${SETTING_ENV.organization_id}\`.`,
      },
      api_key: {
        type: t.string,
        optional: true,
        sensitive: true,
        description: `A key secret (\`kp_…\`) holding \`api_keys:write\` and every permission the configuration grants. Falls back to \`${SETTING_ENV.api_key}\`.`,
      },
    },
  },
  async configure({ config, terraformVersion, signal }) {
    // During plan the settings may depend on values not known yet; resources then wait.
    if (!isWhollyKnown(config)) return {};
    const resolved = resolveSettings({
      endpoint: config.endpoint as string | null,
      organization_id: config.organization_id as string | null,
      api_key: config.api_key as string | null,
    });
    if (!resolved.settings) {
      return { diagnostics: resolved.problems.map((p): Diagnostic => diag.error(p.summary, p.detail, [p.attribute])) };
    }
    const { settings } = resolved;
    const api = new KeyplaneApi(settings, `terraform-provider-keyplane/${PROVIDER_VERSION} (${terraformVersion || 'unknown CLI'})`);
    try {
      // Fail fast, once, with a message about the credentials rather than on every resource.
      const me = await api.withSignal(signal).me();
      return {
        data: { api, endpoint: settings.endpoint, holder: { permissions: me.permissions, internalAccountIds: me.internal_account_ids } },
      };
    } catch (err) {
      return { diagnostics: [apiDiagnostic('Checking the Keyplane credentials', err, settings.endpoint, ['api_key'])] };
    }
  },
  resources: [apiKeyResource],
  dataSources: [apiKeyDataSource, apiKeysDataSource, permissionsDataSource],
  ephemeralResources: [apiKeySecretEphemeral],
});
