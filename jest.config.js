/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: {
    // Type checking runs once before jest (`npm test` runs tsc first); jest only transpiles, which keeps runs fast.
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.jest.json', diagnostics: false }],
    // The embedded PostgreSQL (PGlite) loads Node built-ins with dynamic import(), which jest's vm
    // refuses without --experimental-vm-modules; this rewrites those calls to require().
    '/node_modules/@electric-sql/pglite/dist/.+\\.cjs$': '<rootDir>/test/control-plane/pglite-transform.js',
  },
  transformIgnorePatterns: ['/node_modules/(?!@electric-sql/pglite/)', '\\.pnp\\.[^\\/]+$'],
  moduleFileExtensions: ['ts', 'js', 'cjs', 'json'],
  testTimeout: 30000,
};
