import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

/** The repository's openapi.yaml, found from the sources and from the build alike. */
export function specPath(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'openapi.yaml');
    if (fs.existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error(`openapi.yaml not found above ${__dirname}`);
}

export function loadSpec(): { text: string; document: Record<string, unknown> } {
  const text = fs.readFileSync(specPath(), 'utf8');
  return { text, document: YAML.parse(text) as Record<string, unknown> };
}
