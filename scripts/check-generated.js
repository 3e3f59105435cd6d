#!/usr/bin/env node
// Fails when client/schema.d.ts is not exactly what openapi-typescript generates from openapi.yaml,
// so the generated types can never drift from the contract or be edited by hand.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const committed = path.join(root, 'client', 'schema.d.ts');
const fresh = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'keyplane-gen-')), 'schema.d.ts');
execFileSync(path.join(root, 'node_modules', '.bin', 'openapi-typescript'), ['openapi.yaml', '-o', fresh], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
});
if (fs.readFileSync(committed, 'utf8') !== fs.readFileSync(fresh, 'utf8')) {
  console.error('client/schema.d.ts is out of date with openapi.yaml: run `npm run generate` and commit the result.');
  process.exit(1);
}
console.log('client/schema.d.ts matches openapi.yaml');
