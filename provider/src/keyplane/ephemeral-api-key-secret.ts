// keyplane_api_key_secret: fetches a key's secret for ephemeral contexts (provider
// configuration, write-only arguments, ephemeral outputs) without ever writing it to state or plan.
import { defineEphemeralResource } from '../plugin/framework';
import { t } from '../plugin/types';
import { apiDiagnostic, configured, type KeyplaneProviderData } from './common';

export const apiKeySecretEphemeral = defineEphemeralResource<KeyplaneProviderData>({
  typeName: 'keyplane_api_key_secret',
  description:
    'The secret of a key, for ephemeral contexts only (OpenTofu ≥ 1.11, Terraform ≥ 1.10). Never stored in state or plan files. Each open retrieves the secret, which the control plane records as a secret_revealed audit event.',
  attributes: {
    id: { type: t.string, required: true, description: 'The key ID.' },
    secret: { type: t.string, computed: true, sensitive: true, description: 'The secret.' },
    prefix: { type: t.string, computed: true, description: 'The first characters of the secret.' },
    status: { type: t.string, computed: true, description: '`active` or `archived`.' },
  },
  async open({ provider, signal, config }) {
    const data = configured(provider, signal);
    try {
      const key = await data.api.revealKey(config.id as string);
      return { result: { id: key.id, secret: key.secret, prefix: key.prefix, status: key.status } };
    } catch (err) {
      return { result: config, diagnostics: [apiDiagnostic(`Retrieving the secret of key ${config.id}`, err, data.endpoint, ['id'])] };
    }
  },
});
