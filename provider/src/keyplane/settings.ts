// Provider settings: each attribute falls back to its environment variable; what is missing or
// invalid becomes a diagnostic that names both, so the fix is obvious from the message.
import type { ProviderSettings } from './api';

export interface SettingProblem {
  readonly attribute: 'endpoint' | 'organization_id' | 'api_key';
  readonly summary: string;
  readonly detail: string;
}

export interface RawSettings {
  readonly endpoint?: string | null;
  readonly organization_id?: string | null;
  readonly api_key?: string | null;
}

export const SETTING_ENV = {
  endpoint: 'KEYPLANE_ENDPOINT',
  organization_id: 'KEYPLANE_ORGANIZATION_ID',
  api_key: 'KEYPLANE_API_KEY',
} as const;

const ORG_ID = /^org_[0-9a-z]{26}$/;

/** For echoing a bad value back: anything secret-shaped, and URL credentials, are masked. */
export function forDisplay(value: string): string {
  return value.replace(/(kpu?_)[0-9A-Za-z]{4,}/g, '$1…').replace(/(\/\/)[^/@\s]*@/, '$1…@');
}

export function resolveSettings(
  raw: RawSettings,
  env: NodeJS.ProcessEnv = process.env,
): { settings: ProviderSettings; problems: [] } | { settings?: undefined; problems: SettingProblem[] } {
  const pick = (name: keyof typeof SETTING_ENV) => {
    const value = raw[name] ?? env[SETTING_ENV[name]];
    return value === undefined || value === null || value.trim() === '' ? undefined : value.trim();
  };
  const problems: SettingProblem[] = [];
  const endpoint = pick('endpoint');
  const organizationId = pick('organization_id');
  const apiKey = pick('api_key');

  if (!endpoint) {
    problems.push({
      attribute: 'endpoint',
      summary: 'Missing Keyplane endpoint',
      detail: 'Set `endpoint` in the provider "keyplane" block or the KEYPLANE_ENDPOINT environment variable to the control plane URL, for example http://127.0.0.1:4000.',
    });
  } else {
    let url: URL | undefined;
    try {
      url = new URL(endpoint);
    } catch {
      url = undefined;
    }
    if (!url || !['http:', 'https:'].includes(url.protocol)) {
      problems.push({
        attribute: 'endpoint',
        summary: 'Invalid Keyplane endpoint',
        detail: `The endpoint (from \`endpoint\` or KEYPLANE_ENDPOINT) must be an http:// or https:// URL; got "${forDisplay(endpoint)}".`,
      });
    } else if (url.username || url.password) {
      problems.push({
        attribute: 'endpoint',
        summary: 'Invalid Keyplane endpoint',
        detail: `The endpoint (from \`endpoint\` or KEYPLANE_ENDPOINT) must not carry a user name or password ("${forDisplay(endpoint)}"): the key goes in \`api_key\` / KEYPLANE_API_KEY.`,
      });
    }
  }
  if (organizationId !== undefined && !ORG_ID.test(organizationId)) {
    problems.push({
      attribute: 'organization_id',
      summary: 'Invalid Keyplane organization ID',
      detail: `\`organization_id\` (or KEYPLANE_ORGANIZATION_ID) must look like org_ followed by 26 lower-case letters and digits; got "${forDisplay(organizationId)}".`,
    });
  }
  if (!apiKey) {
    problems.push({
      attribute: 'api_key',
      summary: 'Missing Keyplane API key',
      detail: 'Set `api_key` in the provider "keyplane" block or the KEYPLANE_API_KEY environment variable to a key secret (kp_…) that holds api_keys:write and every permission the configuration grants.',
    });
  }
  if (problems.length > 0 || !endpoint || !apiKey) return { problems };
  return { settings: { endpoint: endpoint.replace(/\/+$/, ''), organizationId, apiKey }, problems: [] };
}
