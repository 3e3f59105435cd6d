// Jest runs test code in a vm context where `import()` needs --experimental-vm-modules, and
// PGlite's CommonJS build loads Node built-ins with `import("fs")` etc. This transform (applied
// only to PGlite's .cjs files, see jest.config.js) turns those into plain requires.
'use strict';
const crypto = require('node:crypto');

const DYNAMIC_BUILTIN = /\bimport\(\s*("(?:node:)?[a-z_/]+")\s*\)/g;

module.exports = {
  process(source) {
    return {
      // `__kpRequire`: the generated code declares its own `var require` in some scopes.
      code:
        'var __kpRequire = require;' +
        source.replace(DYNAMIC_BUILTIN, 'Promise.resolve().then(() => { const m = __kpRequire($1); return Object.assign({ default: m }, m); })'),
    };
  },
  getCacheKey(source, filename) {
    return crypto.createHash('sha256').update('pglite-transform-v2').update(filename).update(source).digest('hex');
  },
};
