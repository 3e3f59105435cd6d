// Runs the examples in examples/ the way their READMEs say: the commands are read from the README
// (so a README edit that changes a command changes what the test runs) and executed one by one in
// a scratch copy of the example, against a control plane started by the test. Reused by
// test/examples/ and test/cdktf-e2e/; the OpenTofu side is test/support/tofu.ts.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { createKeyplaneClient, unwrap, type ApiKey, type KeyplaneClient } from '../../client';
import { REPO_ROOT, type RunningControlPlane } from '../support/control-plane-process';
import { leakedSecrets, tofuBinary, Workspace, type PlanJson, type StateJson, type TofuResult } from '../support/tofu';

export const EXAMPLES_DIR = join(REPO_ROOT, 'examples');

// ---------------------------------------------------------------------------------------------
// README parsing

/** The body of the first ```sh block in the section that starts with the heading `heading`. */
export function readmeBlock(readmePath: string, heading: string): string {
  const text = readFileSync(readmePath, 'utf8');
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.trim() === heading);
  if (start < 0) throw new Error(`${relative(REPO_ROOT, readmePath)} has no heading "${heading}"`);
  const level = /^#+/.exec(heading)![0].length;
  let fenced = false; // a `# comment` inside a code block is not a heading
  const end = lines.findIndex((l, i) => {
    if (l.startsWith('```')) fenced = !fenced;
    return i > start && !fenced && new RegExp(`^#{1,${level}} `).test(l);
  });
  const section = lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
  const block = /```sh\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error(`${relative(REPO_ROOT, readmePath)}: no \`\`\`sh block under "${heading}"`);
  return block[1];
}

/** The commands of that block: continuation lines joined, comments and blank lines dropped. */
export function readmeCommands(readmePath: string, heading: string): string[] {
  return readmeBlock(readmePath, heading)
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((l) => l.replace(/\s+#(\s.*)?$/, '').trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

// ---------------------------------------------------------------------------------------------
// Processes

export interface RunResult extends TofuResult {
  readonly command: string;
}

export function bash(
  script: string,
  opts: { cwd?: string; env: NodeJS.ProcessEnv; allowFailure?: boolean; timeoutMs?: number },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      ['-c', `set -euo pipefail\n${script}`],
      { cwd: opts.cwd ?? REPO_ROOT, env: opts.env, maxBuffer: 64 * 1024 * 1024, timeout: opts.timeoutMs ?? 5 * 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        const result = { command: script, code, stdout, stderr };
        if (code !== 0 && !opts.allowFailure) {
          reject(new Error(`\`${script}\` exited with ${code}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
        } else resolve(result);
      },
    );
  });
}

/** A clean shell environment: PATH (with OpenTofu on it), HOME, and what the test injects. */
export function shellEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const tofu = tofuBinary();
  return {
    PATH: [tofu ? dirname(tofu) : undefined, process.env.PATH].filter(Boolean).join(':'),
    HOME: process.env.HOME,
    ...(process.env.npm_config_cache ? { npm_config_cache: process.env.npm_config_cache } : {}),
    ...extra,
  };
}

// ---------------------------------------------------------------------------------------------
// Control plane access

export function adminClient(cp: RunningControlPlane): KeyplaneClient {
  return createKeyplaneClient({ endpoint: cp.endpoint, credential: cp.adminToken });
}

/** A client authenticating as a key (HTTP Basic org:secret), without retries. */
export function keyClient(cp: RunningControlPlane, secret: string): KeyplaneClient {
  return createKeyplaneClient({ endpoint: cp.endpoint, credential: secret, organizationId: cp.organizationId, maxAttempts: 1 });
}

/** The HTTP status of `GET /v1/me` with a key's secret: 200 while it authenticates, 401 after. */
export async function meStatus(cp: RunningControlPlane, secret: string): Promise<number> {
  const { response } = await keyClient(cp, secret).GET('/v1/me');
  return response.status;
}

export async function getKey(cp: RunningControlPlane, id: string): Promise<ApiKey> {
  return unwrap(adminClient(cp).GET('/v1/api_keys/{id}', { params: { path: { id } } }));
}

/**
 * The key Terraform runs with, created by running the "Before you start" block of
 * examples/README.md with the endpoint and the admin credentials in the environment.
 */
export async function terraformKeyFromReadme(cp: RunningControlPlane): Promise<string> {
  const block = readmeBlock(join(EXAMPLES_DIR, 'README.md'), '## Before you start');
  const { stdout } = await bash(`${block}\nprintf '%s' "$KEYPLANE_API_KEY"`, {
    env: shellEnv({
      KEYPLANE_ENDPOINT: cp.endpoint,
      KEYPLANE_ORGANIZATION_ID: cp.organizationId,
      KEYPLANE_ADMIN_TOKEN: cp.adminToken,
    }),
  });
  if (!/^kp_\S+$/.test(stdout)) throw new Error('the "Before you start" block of examples/README.md did not export a key secret');
  return stdout;
}

/**
 * Every secret the test issued: the admin token and the secret of every key of the organization,
 * archived ones included (retrieved with `reveal`), for the leak checks.
 */
export async function issuedSecrets(cp: RunningControlPlane): Promise<string[]> {
  const admin = adminClient(cp);
  const secrets = [cp.adminToken];
  let cursor: string | undefined;
  do {
    const page = await unwrap(
      admin.GET('/v1/api_keys', { params: { query: { include_archived: true, per_page: 100, after_cursor: cursor } } }),
    );
    for (const key of page.data) {
      const revealed = await unwrap(admin.POST('/v1/api_keys/{id}/reveal', { params: { path: { id: key.id } } }));
      secrets.push(revealed.secret);
    }
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return secrets;
}

// ---------------------------------------------------------------------------------------------
// A scratch copy of an example

const SKIP = /(^|\/)(cdktf\.out|\.terraform|node_modules)(\/|$)|\.tfstate(\.backup)?$|(^|\/)tfplan$|\.terraform\.lock\.hcl$/;

/**
 * A copy of `examples/<name>` under `.tmp/examples/` (inside the repository, so that Node
 * resolves `@keyplane/cdktf`, `cdktf` and `tsx` from its node_modules as it does for the example
 * itself), with a Workspace for the OpenTofu commands.
 */
export class ExampleRun {
  readonly dir: string;
  readonly ws: Workspace;
  private readonly env: NodeJS.ProcessEnv;
  private shellTranscript = '';

  constructor(readonly example: string, env: Record<string, string>) {
    this.dir = join(REPO_ROOT, '.tmp', 'examples', `${example}-${randomBytes(4).toString('hex')}`);
    mkdirSync(dirname(this.dir), { recursive: true });
    const source = join(EXAMPLES_DIR, example);
    cpSync(source, this.dir, { recursive: true, filter: (src) => !SKIP.test(relative(source, src)) });
    this.ws = new Workspace(env, this.dir);
    // The Workspace's CLI configuration (.tofurc) is the test's, not the example's: a global
    // gitignore keeps it out of the commits an example makes.
    const excludes = `${this.dir}.gitignore`;
    writeFileSync(excludes, '.tofurc\n');
    this.env = shellEnv({
      TF_CLI_CONFIG_FILE: join(this.dir, '.tofurc'),
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
      CHECKPOINT_DISABLE: '1',
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'core.excludesFile',
      GIT_CONFIG_VALUE_0: excludes,
      ...env,
    });
  }

  get readme(): string {
    return join(EXAMPLES_DIR, this.example, 'README.md');
  }

  /** The commands under a heading of the example's README. */
  commands(heading: string): string[] {
    return readmeCommands(this.readme, heading);
  }

  /**
   * Runs one README command in the copy: `tofu …` through the Workspace (the OpenTofu binary
   * and CLI configuration of the acceptance tests), anything else with bash.
   * `record: false` keeps output that prints a secret on purpose out of the transcript.
   */
  async run(command: string, opts: { allowFailure?: boolean; record?: boolean; env?: Record<string, string> } = {}): Promise<RunResult> {
    if (command.startsWith('tofu ')) {
      if (/["'$`\\|;&<>]/.test(command)) throw new Error(`not a plain tofu command: ${command}`);
      const result = await this.ws.run(command.slice(5).trim().split(/\s+/), opts);
      return { command, ...result };
    }
    const result = await bash(command, { cwd: this.dir, env: { ...this.env, ...opts.env }, allowFailure: opts.allowFailure });
    if (opts.record !== false) this.shellTranscript += result.stdout + result.stderr;
    return result;
  }

  /** `show -json` of a saved plan, in the working directory given with `-chdir` (or the copy). */
  async showPlan(planFile = 'tfplan', chdir?: string): Promise<PlanJson> {
    const { stdout } = await this.ws.run([...(chdir ? [`-chdir=${chdir}`] : []), 'show', '-json', planFile], { record: false });
    return JSON.parse(stdout) as PlanJson;
  }

  /** `show -json` of the state (which holds secrets by design, so never recorded). */
  async state(chdir?: string): Promise<StateJson> {
    const { stdout } = await this.ws.run([...(chdir ? [`-chdir=${chdir}`] : []), 'show', '-json'], { record: false });
    return JSON.parse(stdout) as StateJson;
  }

  /** Everything the CLIs printed (OpenTofu, tsx, git, bash), for the leak checks. */
  get transcript(): string {
    return this.ws.transcript + this.shellTranscript;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
    rmSync(`${this.dir}.gitignore`, { force: true });
  }
}

/** Keys in a state, by address. */
export function keysInState(state: StateJson): Record<string, Record<string, unknown>> {
  const resources = state.values?.root_module.resources ?? [];
  return Object.fromEntries(resources.filter((r) => r.address.startsWith('keyplane_api_key.')).map((r) => [r.address, r.values]));
}

// ---------------------------------------------------------------------------------------------
// @keyplane/cdktf, as a package

const CDKTF_PACKAGE = join(REPO_ROOT, 'provider', 'cdktf');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function cdktfBuildIsCurrent(): boolean {
  const built = join(CDKTF_PACKAGE, 'dist', 'index.js');
  if (!existsSync(built) || !existsSync(join(CDKTF_PACKAGE, 'dist', 'index.d.ts'))) return false;
  return statSync(built).mtimeMs >= Math.max(newestMtime(join(CDKTF_PACKAGE, 'src')), statSync(join(CDKTF_PACKAGE, 'package.json')).mtimeMs);
}

/**
 * Builds `@keyplane/cdktf` with its own build script, as the CDKTF examples' READMEs say
 * (`npm run build -w provider/cdktf`), so that the examples import it the way a user does: by
 * package name, through `main`/`types` of its package.json, from `dist/`. Skipped when `dist/` is
 * newer than the sources; serialized across jest workers with a lock directory.
 */
export async function buildCdktfPackage(): Promise<void> {
  if (cdktfBuildIsCurrent()) return;
  const lock = join(REPO_ROOT, '.tmp', 'cdktf-build.lock');
  mkdirSync(dirname(lock), { recursive: true });
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 5 * 60_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    if (!cdktfBuildIsCurrent()) await bash('npm run build -w provider/cdktf', { cwd: REPO_ROOT, env: shellEnv({}) });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Ends a test file: no secret issued in the organization may occur in what the CLIs printed
 * (`printed()`) or in the server's output; then the server and the example copy are removed.
 */
export async function stopAndCheckSecrets(cp: RunningControlPlane | undefined, printed: () => string, run?: ExampleRun): Promise<void> {
  if (!cp) return;
  try {
    const secrets = await issuedSecrets(cp);
    await cp.kill();
    expect(leakedSecrets(printed() + cp.output(), secrets)).toEqual([]);
  } finally {
    run?.remove();
    await cp.stop();
  }
}
