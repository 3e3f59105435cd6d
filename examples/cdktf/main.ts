// The keys of examples/hcl, in TypeScript with @keyplane/cdktf. `npx tsx main.ts` synthesizes
// cdktf.out/stacks/keys/cdk.tf.json; OpenTofu (or Terraform) plans and applies that directory.
import { App, TerraformIterator, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { DataKeyplaneApiKey, DataKeyplanePermissions, KeyplaneProvider, PermissionedKey, Permissions } from '@keyplane/cdktf';

/** The CI runners' addresses (documentation ranges: use your runners' egress addresses). */
const CI_RUNNERS = ['203.0.113.0/24', '198.51.100.7', '2001:db8:1234::/48'];

/** The internal accounts the payouts service may move money on. */
const PAYOUT_ACCOUNTS = ['acc_operating', 'acc_payroll'];

class KeysStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);

    // No settings: KEYPLANE_ENDPOINT, KEYPLANE_ORGANIZATION_ID and KEYPLANE_API_KEY come from the
    // environment. (A literal apiKey here would be written into cdk.tf.json.)
    new KeyplaneProvider(this, 'keyplane');

    // 1. Read-only on everything, for a reporting job.
    const reporting = new PermissionedKey(this, 'Reporting', {
      name: 'reporting',
      permissions: Permissions.readOnly(),
    });

    // 2. Payment orders, accounts and transactions, restricted to two internal accounts. A typo in
    //    a resource name does not compile; a permission the catalog does not allow (say
    //    Permissions.of('authorizations:read')) fails app.synth() with the allowed values named.
    //    A change replaces the key: the new one first, the old one kept working for an hour.
    const payouts = new PermissionedKey(this, 'Payouts', {
      name: 'payouts-service',
      permissions: Permissions.write('payment_orders')
        .and(Permissions.read('internal_accounts', 'transactions'))
        .restrictToAccounts(PAYOUT_ACCOUNTS),
      createBeforeDestroy: true,
      gracePeriod: '1h',
    });

    // 3. For CI: manages webhooks, reads ledgers, only from the CI runners.
    const ci = new PermissionedKey(this, 'Ci', {
      name: 'ci-deploy',
      permissions: Permissions.write('webhooks').and(Permissions.read('ledgers')),
      allowedIps: CI_RUNNERS,
    });

    // Data sources: the permission catalog, and the CI key as the control plane stores it.
    const catalog = new DataKeyplanePermissions(this, 'Catalog');
    const ciAsStored = new DataKeyplaneApiKey(this, 'CiAsStored', { id: ci.id });

    new TerraformOutput(this, 'reporting_key_id', { value: reporting.id });
    new TerraformOutput(this, 'payouts_key_id', { value: payouts.id });
    new TerraformOutput(this, 'ci_key_id', { value: ci.id });
    new TerraformOutput(this, 'ci_allowed_ips', {
      description: "The CI key's allowlist, canonical, as the control plane enforces it.",
      value: ciAsStored.allowedIps,
    });
    new TerraformOutput(this, 'account_scoped_resources', {
      value: TerraformIterator.fromComplexList(catalog.resources, 'resource').forExpressionForList('val.resource if val.account_scoped'),
    });
    // Secrets are sensitive outputs: shown as <sensitive>, printed only by `tofu output -raw <name>`.
    new TerraformOutput(this, 'reporting_secret', { value: reporting.secret, sensitive: true });
    new TerraformOutput(this, 'payouts_secret', { value: payouts.secret, sensitive: true });
    new TerraformOutput(this, 'ci_secret', { value: ci.secret, sensitive: true });
  }
}

const app = new App();
new KeysStack(app, 'keys');
app.synth();
