// examples/gitops-rotation end to end, as its README says, with a real (short) grace period:
// apply; bump the rotation value in a git commit; the plan replaces the key with
// create-before-destroy; apply; the old secret authenticates during the grace period and not
// after it, checked with real requests; the new key existed before the old one's archive was
// scheduled; the scheduled retirement is in the old key's audit trail. Also checks the CI
// pipeline file's shape (it cannot run here).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { unwrap } from '../../client';
import { REPO_ROOT, startControlPlane, type RunningControlPlane } from '../support/control-plane-process';
import { changesOf, describeWithTofu } from '../support/tofu';
import {
  adminClient,
  buildCdktfPackage,
  ExampleRun,
  getKey,
  stopAndCheckSecrets,
  keyClient,
  keysInState,
  meStatus,
  readmeCommands,
  sleep,
  terraformKeyFromReadme,
} from '../examples/support';

jest.setTimeout(5 * 60_000);

const EXAMPLE = join(REPO_ROOT, 'examples', 'gitops-rotation');
const STACK = 'cdktf.out/stacks/keys';
const KEY = 'keyplane_api_key.Payments_130453D3';
const TRIGGER = 'null_resource.Payments_RotationTrigger_BE04F397';
/** The grace period the test rotates with, through the example's documented variable. */
const GRACE_SECONDS = Number(process.env.KEYPLANE_E2E_GRACE_SECONDS ?? 20);

describeWithTofu('examples/gitops-rotation', () => {
  let cp: RunningControlPlane;
  let run: ExampleRun;
  let terraformKeyId: string;

  beforeAll(async () => {
    const [started] = await Promise.all([startControlPlane(), buildCdktfPackage()]);
    cp = started;
    const terraformKey = await terraformKeyFromReadme(cp);
    terraformKeyId = (await unwrap(keyClient(cp, terraformKey).GET('/v1/me'))).principal.id;
    run = new ExampleRun('gitops-rotation', {
      KEYPLANE_ENDPOINT: cp.endpoint,
      KEYPLANE_ORGANIZATION_ID: cp.organizationId,
      KEYPLANE_API_KEY: terraformKey,
      KEYPLANE_GRACE_PERIOD: `${GRACE_SECONDS}s`,
      // The identity a developer's git config would give the commits.
      GIT_AUTHOR_NAME: 'Platform Engineer',
      GIT_AUTHOR_EMAIL: 'platform@example.com',
      GIT_COMMITTER_NAME: 'Platform Engineer',
      GIT_COMMITTER_EMAIL: 'platform@example.com',
    });
  });

  // No secret issued during the test reached what the CLI printed or the server's logs.
  afterAll(() => stopAndCheckSecrets(cp, () => run.transcript, run));

  it('rotates by a commit: new key first, old secret valid for the grace period and refused after it', async () => {
    const tryIt = run.commands('## Try it locally');
    expect(tryIt).toEqual([
      'git init -q && git add . && git commit -qm "Keys as code"',
      'npx tsc -p .',
      'npx tsx main.ts',
      `tofu -chdir=${STACK} init`,
      `tofu -chdir=${STACK} apply -auto-approve`,
    ]);
    for (const command of tryIt) await run.run(command);

    const synthesized = JSON.parse(readFileSync(join(run.dir, STACK, 'cdk.tf.json'), 'utf8'));
    expect(synthesized.resource.keyplane_api_key.Payments_130453D3).toMatchObject({
      archive_grace_period: `${GRACE_SECONDS}s`,
      lifecycle: { create_before_destroy: true, replace_triggered_by: [TRIGGER] },
    });
    expect(synthesized.resource.null_resource.Payments_RotationTrigger_BE04F397.triggers).toEqual({ rotation: '1' });

    const first = keysInState(await run.state(STACK))[KEY];
    const oldId = first.id as string;
    const oldSecret = first.secret as string;
    expect(await meStatus(cp, oldSecret)).toBe(200);

    // Rotate: bump the value in a commit, synthesize, plan.
    const rotate = run.commands('## Rotate');
    expect(rotate).toEqual([
      `echo '{ "rotation": 2 }' > rotation.json`,
      'git commit -qam "Rotate the payments-service key"',
      'npx tsx main.ts',
      `tofu -chdir=${STACK} plan -out=tfplan`,
      `tofu -chdir=${STACK} apply tfplan`,
      `tofu -chdir=${STACK} plan -detailed-exitcode`,
    ]);
    const [bump, commit, synth, plan, apply, planAgain] = rotate;
    await run.run(bump);
    await run.run(commit);
    const log = await run.run('git log --format=%s');
    expect(log.stdout.trim().split('\n')).toEqual(['Rotate the payments-service key', 'Keys as code']);
    expect((await run.run('git show --stat --format= HEAD')).stdout).toMatch(/^ rotation\.json \| 2 \+-\n 1 file changed/);
    expect((await run.run('git status --porcelain')).stdout).toBe(''); // the rotation is committed, nothing else changed
    await run.run(synth);

    const planned = await run.run(plan);
    expect(planned.stdout).toContain(`# ${KEY} will be replaced due to changes in replace_triggered_by`);
    expect(planned.stdout).toMatch(/\+\/- resource "keyplane_api_key" "Payments_130453D3"/);
    expect(planned.stdout).toContain('+/- create replacement and then destroy');
    expect(planned.stdout).toContain(`# ${TRIGGER} must be replaced`);
    expect(planned.stdout).toMatch(/~ triggers = \{ # forces replacement\s+~ "rotation" = "1" -> "2"/);
    expect(planned.stdout).toContain('Plan: 2 to add, 0 to change, 2 to destroy.');
    const changes = changesOf(await run.showPlan('tfplan', STACK));
    const keyChange = changes.find((c) => c.address === KEY)!;
    expect(keyChange.change.actions).toEqual(['create', 'delete']); // create before destroy
    expect(keyChange.action_reason).toBe('replace_by_triggers') // OpenTofu's name for replace_triggered_by;
    const triggerChange = changes.find((c) => c.address === TRIGGER)!;
    expect(triggerChange.change.actions).toEqual(['create', 'delete']);
    expect(triggerChange.change.after).toMatchObject({ triggers: { rotation: '2' } });
    expect(changes).toHaveLength(2);

    await run.run(apply);
    const firstCheckSentAt = Date.now();
    const oldRightAfter = await meStatus(cp, oldSecret);
    const second = keysInState(await run.state(STACK))[KEY];
    const newId = second.id as string;
    const newSecret = second.secret as string;
    expect(newId).not.toBe(oldId);
    expect(oldRightAfter).toBe(200); // still valid right after the apply
    expect(await meStatus(cp, newSecret)).toBe(200);

    // The old key: archive scheduled, one grace period after it was asked for; the new key existed first.
    const oldKey = await getKey(cp, oldId);
    const newKey = await getKey(cp, newId);
    expect(oldKey.status).toBe('active');
    expect(oldKey.archived_at).not.toBeNull();
    const archivedAt = Date.parse(oldKey.archived_at!);
    expect(firstCheckSentAt).toBeLessThan(archivedAt);
    expect(newKey).toMatchObject({ name: 'payments-service', status: 'active', archived_at: null, permissions: oldKey.permissions });
    const trail = await unwrap(adminClient(cp).GET('/v1/api_keys/{id}/audit_events', { params: { path: { id: oldId } } }));
    const actions = trail.data.map((e) => e.action);
    expect(actions).toContain('api_key.archive_scheduled');
    expect(actions).not.toContain('api_key.archived');
    const scheduled = trail.data.find((e) => e.action === 'api_key.archive_scheduled')!;
    expect(scheduled.actor).toMatchObject({ type: 'api_key', id: terraformKeyId });
    const change = scheduled.changes as { before: { archived_at: string | null }; after: { archived_at: string } };
    expect(change.before.archived_at).toBeNull();
    expect(Date.parse(change.after.archived_at)).toBe(archivedAt);
    const scheduledAt = Date.parse(scheduled.occurred_at);
    expect(Date.parse(newKey.created_at)).toBeLessThanOrEqual(scheduledAt);
    expect(Math.abs(archivedAt - scheduledAt - GRACE_SECONDS * 1000)).toBeLessThan(2000);

    // Nothing left to do after the rotation.
    const empty = await run.run(planAgain, { allowFailure: true });
    expect(empty.code).toBe(0);
    expect(empty.stdout).toContain('No changes.');

    // Poll with the old secret: 200 while the grace period runs, 401 from its end on.
    const observed: { sentAt: number; receivedAt: number; status: number }[] = [];
    for (;;) {
      const sentAt = Date.now();
      const status = await meStatus(cp, oldSecret);
      observed.push({ sentAt, receivedAt: Date.now(), status });
      if (status !== 200 || Date.now() > archivedAt + 15_000) break;
      await sleep(Math.min(1000, Math.max(50, archivedAt - Date.now() + 20)));
    }
    const refused = observed[observed.length - 1];
    expect(refused.status).toBe(401);
    expect(refused.receivedAt).toBeGreaterThanOrEqual(archivedAt); // not before the grace period ended
    expect(refused.sentAt - archivedAt).toBeLessThan(5_000); // and promptly after it
    const accepted = observed.slice(0, -1);
    expect(accepted.length).toBeGreaterThan(0);
    for (const o of accepted) {
      expect(o.status).toBe(200);
      expect(o.sentAt).toBeLessThan(archivedAt);
    }
    expect(await meStatus(cp, newSecret)).toBe(200);
    expect((await getKey(cp, oldId)).status).toBe('archived');

    // The refusal is in the old key's request log, with the reason the response does not give.
    let reasons: (string | null)[] = [];
    for (let i = 0; i < 50 && !reasons.includes('archived'); i++) {
      await sleep(100);
      const entries = await unwrap(
        adminClient(cp).GET('/v1/api_keys/{id}/request_logs', { params: { path: { id: oldId }, query: { status: 401 } } }),
      );
      reasons = entries.data.map((e) => e.decision_reason);
    }
    expect(reasons).toContain('archived');

    // Clean up: destroy schedules the new key's archive too.
    const [destroy] = run.commands('## Clean up');
    expect(destroy).toBe(`tofu -chdir=${STACK} destroy -auto-approve`);
    await run.run(destroy);
    const retired = await getKey(cp, newId);
    expect(retired.archived_at).not.toBeNull();
    expect(Date.parse(retired.archived_at!) - Date.now()).toBeLessThanOrEqual(GRACE_SECONDS * 1000);
  });
});

describe('examples/gitops-rotation CI pipeline', () => {
  const text = readFileSync(join(EXAMPLE, '.github', 'workflows', 'keys.yml'), 'utf8');
  const workflow = parse(text);
  const runs = (job: string): string[] =>
    workflow.jobs[job].steps.filter((s: { run?: string }) => s.run).map((s: { run: string }) => s.run.trim());
  const uses = (job: string): string[] => workflow.jobs[job].steps.filter((s: { uses?: string }) => s.uses).map((s: { uses: string }) => s.uses);

  it('plans on pull requests and applies on merge to main, one run at a time', () => {
    expect(workflow.on.pull_request.branches).toEqual(['main']);
    expect(workflow.on.push.branches).toEqual(['main']);
    expect(workflow.jobs.plan.if).toBe("github.event_name == 'pull_request'");
    expect(workflow.jobs.apply.if).toBe("github.event_name == 'push' && github.ref == 'refs/heads/main'");
    expect(workflow.concurrency['cancel-in-progress']).toBe(false);
    expect(workflow.permissions).toEqual({ contents: 'read' });
  });

  it('runs the README commands: synthesize, init, plan to a file; apply exactly that plan', () => {
    const local = [...readmeCommands(join(EXAMPLE, 'README.md'), '## Try it locally'), ...readmeCommands(join(EXAMPLE, 'README.md'), '## Rotate')];
    for (const job of ['plan', 'apply']) {
      const steps = runs(job);
      expect(steps).toEqual(expect.arrayContaining(['npm ci', 'npx tsc -p .', 'npx tsx main.ts', 'tofu -chdir=$STACK init']));
      expect(local).toEqual(expect.arrayContaining(['npx tsc -p .', 'npx tsx main.ts', `tofu -chdir=${STACK} init`]));
      expect(steps.some((s) => s.startsWith('tofu -chdir=$STACK plan -out=tfplan'))).toBe(true);
      expect(uses(job)).toContain('actions/upload-artifact@v4');
    }
    expect(workflow.env.STACK).toBe(STACK);
    expect(runs('plan').some((s) => s.includes(' apply'))).toBe(false);
    expect(runs('apply')).toContain('tofu -chdir=$STACK apply -lock-timeout=5m -no-color tfplan');
    expect(uses('plan')).toContain('actions/github-script@v7'); // the plan as a pull request comment
    // Only the rendered plan is kept: the binary plan file holds secrets.
    for (const job of ['plan', 'apply']) {
      const artifact = workflow.jobs[job].steps.find((s: { uses?: string }) => s.uses === 'actions/upload-artifact@v4');
      expect(artifact.with.path).toBe('plan.txt');
    }
  });

  it('takes credentials from CI secrets and state from a remote backend', () => {
    expect(workflow.env.KEYPLANE_API_KEY).toBe('${{ secrets.KEYPLANE_API_KEY }}');
    expect(workflow.env.KEYPLANE_ENDPOINT).toMatch(/^\$\{\{ vars\./);
    expect(workflow.env.KEYPLANE_ORGANIZATION_ID).toMatch(/^\$\{\{ vars\./);
    expect(workflow.env.KEYS_STATE_BUCKET).toMatch(/^\$\{\{ vars\./);
    expect(text).not.toMatch(/kp_[A-Za-z0-9]{10,}|kpu_[A-Za-z0-9]{10,}/);
    expect(readFileSync(join(EXAMPLE, 'main.ts'), 'utf8')).toContain('new S3Backend(');
  });
});
