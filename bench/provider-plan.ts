// Wall time of `tofu plan` (and apply) over N keys, provider start-up included, against a control
// plane on the embedded PostgreSQL. Prints the figures; asserts nothing about them.
//
//   npm run build && npx tsx bench/provider-plan.ts [N=100] [RUNS=3]
import { performance } from 'node:perf_hooks';
import { createKeyplaneClient, unwrap } from '../client';
import { startControlPlane } from '../test/support/control-plane-process';
import { tofuBinary, Workspace } from '../test/support/tofu';

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 100);
  const runs = Number(process.argv[3] ?? 3);
  if (!tofuBinary()) throw new Error('OpenTofu not found: run `bash scripts/build-tools.sh` first');
  const cp = await startControlPlane();
  try {
    const admin = createKeyplaneClient({ endpoint: cp.endpoint, credential: cp.adminToken });
    const tfKey = await unwrap(admin.POST('/v1/api_keys', { body: { name: 'terraform', permissions: ['*:write'] } }));
    const ws = new Workspace({ KEYPLANE_ENDPOINT: cp.endpoint, KEYPLANE_ORGANIZATION_ID: cp.organizationId, KEYPLANE_API_KEY: tfKey.secret });
    ws.write({
      'main.tf': `
terraform {
  required_providers {
    keyplane = { source = "keyplane/keyplane" }
  }
}
provider "keyplane" {}
resource "keyplane_api_key" "k" {
  count       = ${n}
  name        = "bench-\${count.index}"
  permissions = ["payment_orders:read", "counterparties:write"]
  allowed_ips = ["10.0.0.0/8", "2001:db8::/32"]
}
`,
    });
    await ws.init();
    const timed = async (label: string, args: string[]) => {
      const start = performance.now();
      const result = await ws.run(args);
      const seconds = (performance.now() - start) / 1000;
      return { label, seconds, result };
    };
    const apply = await timed('apply (create)', ['apply', '-auto-approve', '-input=false']);
    console.log(`tofu apply creating ${n} keys: ${apply.seconds.toFixed(2)} s`);
    const plans: number[] = [];
    for (let i = 0; i < runs; i++) {
      const plan = await timed('plan', ['plan', '-input=false', '-detailed-exitcode']);
      plans.push(plan.seconds);
    }
    const sorted = [...plans].sort((a, b) => a - b);
    console.log(
      `tofu plan over ${n} keys (refresh of every key, provider start-up included), ${runs} runs: ` +
        `median ${sorted[Math.floor(runs / 2)].toFixed(2)} s, min ${sorted[0].toFixed(2)} s, max ${sorted[runs - 1].toFixed(2)} s`,
    );
    const version = await ws.run(['version']);
    console.log(version.stdout.split('\n')[0]);
    await ws.run(['destroy', '-auto-approve', '-input=false']);
    ws.remove();
  } finally {
    await cp.stop();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
