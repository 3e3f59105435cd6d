// Drives the real OpenTofu CLI for acceptance tests and examples. The binary comes from
// scripts/build-tools.sh (built from the Go module proxy and cached); the provider is installed
// into a throw-away filesystem mirror with scripts/install-provider.sh, as a user would install it.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from './control-plane-process';

const TOOLS_DIR = process.env.KEYPLANE_TOOLS_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'keyplane-tools');

export function tofuBinary(): string | undefined {
  const candidate = process.env.KEYPLANE_TOFU ?? join(TOOLS_DIR, 'bin', 'tofu');
  return existsSync(candidate) ? candidate : undefined;
}

let announced = false;
/**
 * `describe` when OpenTofu is available, otherwise a one-line notice and `describe.skip`.
 * In CI a missing OpenTofu is a failure, never a skip.
 */
export function describeWithTofu(name: string, fn: () => void): void {
  if (tofuBinary()) return describe(name, fn);
  if (process.env.CI) throw new Error('OpenTofu is required in CI: run scripts/build-tools.sh and set KEYPLANE_TOFU');
  if (!announced) {
    announced = true;
    console.log('OpenTofu not found (run `bash scripts/build-tools.sh`): skipping the OpenTofu acceptance tests, running the rest.');
  }
  describe.skip(name, fn);
}

/** A filesystem mirror holding our provider and the null provider, shared by the tests of one process. */
let mirror: string | undefined;
export function providerMirror(): string {
  if (mirror) return mirror;
  mirror = mkdtempSync(join(tmpdir(), 'keyplane-mirror-'));
  execFileSync('bash', [join(REPO_ROOT, 'scripts', 'install-provider.sh'), mirror], { stdio: 'ignore' });
  const nullSrc = join(TOOLS_DIR, 'plugins', 'registry.opentofu.org', 'hashicorp', 'null');
  if (existsSync(nullSrc)) {
    // Real directories with the binaries linked in: OpenTofu's mirror scan does not follow a
    // symlinked directory (a link to the whole `null` tree is "not found"), but does follow files.
    for (const version of readdirSync(nullSrc)) {
      for (const platform of readdirSync(join(nullSrc, version))) {
        const target = join(mirror, 'registry.opentofu.org', 'hashicorp', 'null', version, platform);
        mkdirSync(target, { recursive: true });
        for (const file of readdirSync(join(nullSrc, version, platform))) {
          if (file.startsWith('terraform-provider-null')) symlinkSync(join(nullSrc, version, platform, file), join(target, file));
        }
      }
    }
  }
  return mirror;
}

export interface TofuResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export class TofuError extends Error {
  constructor(readonly args: string[], readonly result: TofuResult) {
    super(`tofu ${args.join(' ')} exited with ${result.code}\n${result.stdout}\n${result.stderr}`);
  }
}

export class Workspace {
  readonly dir: string;
  private readonly env: NodeJS.ProcessEnv;
  /** Every byte the CLI printed, for secret-leak checks. */
  transcript = '';

  constructor(env: Record<string, string>, dir?: string) {
    this.dir = dir ?? mkdtempSync(join(tmpdir(), 'keyplane-tofu-'));
    const cliConfig = join(this.dir, '.tofurc');
    writeFileSync(
      cliConfig,
      `provider_installation {\n  filesystem_mirror {\n    path = "${providerMirror()}"\n  }\n}\n`,
    );
    this.env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TF_CLI_CONFIG_FILE: cliConfig,
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
      CHECKPOINT_DISABLE: '1',
      ...env,
    };
  }

  write(files: Record<string, string>): this {
    for (const [name, content] of Object.entries(files)) {
      mkdirSync(dirname(join(this.dir, name)), { recursive: true });
      writeFileSync(join(this.dir, name), content);
    }
    return this;
  }

  /** `record: false` keeps the output out of the transcript (machine reads of state, which holds secrets by design). */
  run(args: string[], opts: { env?: Record<string, string>; allowFailure?: boolean; record?: boolean } = {}): Promise<TofuResult> {
    const bin = tofuBinary();
    if (!bin) throw new Error('OpenTofu not available');
    return new Promise((resolve, reject) => {
      execFile(
        bin,
        [...args, '-no-color'],
        { cwd: this.dir, env: { ...this.env, ...opts.env }, maxBuffer: 256 * 1024 * 1024, timeout: 10 * 60_000 },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          const result = { code, stdout, stderr };
          if (opts.record !== false) this.transcript += stdout + stderr;
          if (code !== 0 && !opts.allowFailure) reject(new TofuError(args, result));
          else resolve(result);
        },
      );
    });
  }

  init(): Promise<TofuResult> {
    return this.run(['init', '-input=false']);
  }

  apply(extra: string[] = []): Promise<TofuResult> {
    return this.run(['apply', '-auto-approve', '-input=false', ...extra]);
  }

  /** `plan -out` + `show -json`: the machine-readable plan. */
  async plan(extra: string[] = []): Promise<PlanJson> {
    await this.run(['plan', '-input=false', '-out=tfplan', ...extra]);
    const { stdout } = await this.run(['show', '-json', 'tfplan'], { record: false });
    return JSON.parse(stdout) as PlanJson;
  }

  async state(): Promise<StateJson> {
    const { stdout } = await this.run(['show', '-json'], { record: false });
    return JSON.parse(stdout) as StateJson;
  }

  file(name: string): string {
    return readFileSync(join(this.dir, name), 'utf8');
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface ResourceChange {
  address: string;
  type: string;
  name: string;
  change: {
    actions: string[];
    before: Record<string, unknown> | null;
    after: Record<string, unknown> | null;
    after_unknown?: Record<string, unknown>;
    replace_paths?: (string | number)[][];
  };
  action_reason?: string;
}

export interface PlanJson {
  resource_changes?: ResourceChange[];
  output_changes?: Record<string, { actions: string[] }>;
}

export interface StateJson {
  values?: {
    root_module: { resources?: { address: string; values: Record<string, unknown> }[] };
    outputs?: Record<string, { value: unknown; sensitive: boolean }>;
  };
}

/** Resource changes other than no-op, read (data sources) and open (ephemeral resources, opened on every run). */
export function changesOf(plan: PlanJson): ResourceChange[] {
  return (plan.resource_changes ?? []).filter((c) => !(c.change.actions.length === 1 && ['no-op', 'read', 'open'].includes(c.change.actions[0])));
}

export function resourceValues(state: StateJson, address: string): Record<string, unknown> {
  const r = state.values?.root_module.resources?.find((x) => x.address === address);
  if (!r) throw new Error(`no ${address} in state`);
  return r.values;
}

/** Names (by position, never by value) the secrets that occur in a text; [] when none leaked. */
export function leakedSecrets(text: string, secrets: readonly string[]): string[] {
  return secrets.flatMap((s, i) => (text.includes(s) ? [`secret #${i} (${s.slice(0, 6)}…)`] : []));
}
