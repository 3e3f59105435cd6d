// A key rotated through git. `rotation.json` holds the rotation value: a commit that bumps it
// makes the next plan replace the key, the new key created before the old one is retired, and the
// old secret kept valid for a grace period so nothing that still uses it breaks mid-rotation.
import { App, S3Backend, TerraformOutput, TerraformStack } from 'cdktf';
import { KeyplaneProvider, Permissions, RotatingKey } from '@keyplane/cdktf';
import { rotation } from './rotation.json';

/**
 * How long the old key keeps working after a rotation (a Go duration, at most 720h). Consumers
 * must pick up the new secret within it. It is applied with the key and read from state when the
 * old key is destroyed, so set it before the rotation it should cover, not in the same commit.
 */
const gracePeriod = process.env.KEYPLANE_GRACE_PERIOD ?? '24h';

const app = new App();
const stack = new TerraformStack(app, 'keys');

// Remote state for the team: CI sets KEYS_STATE_BUCKET (see the README and
// .github/workflows/keys.yml). Without it, the local backend (terraform.keys.tfstate next to
// this file), enough to try the rotation out. State holds the key's secret: keep the bucket
// private and encrypted.
if (process.env.KEYS_STATE_BUCKET) {
  new S3Backend(stack, {
    bucket: process.env.KEYS_STATE_BUCKET,
    key: 'keyplane/keys.tfstate',
    region: process.env.KEYS_STATE_REGION ?? 'eu-central-1',
    encrypt: true,
  }).addOverride('use_lockfile', true); // S3-native locking, no DynamoDB table (OpenTofu ≥ 1.10)
}

// Settings from KEYPLANE_ENDPOINT, KEYPLANE_ORGANIZATION_ID and KEYPLANE_API_KEY (CI secrets).
new KeyplaneProvider(stack, 'keyplane');

const payments = new RotatingKey(stack, 'Payments', {
  name: 'payments-service',
  permissions: Permissions.write('payment_orders').and(Permissions.read('counterparties', 'ledgers')),
  rotation,
  gracePeriod,
});

new TerraformOutput(stack, 'payments_key_id', { value: payments.id });
new TerraformOutput(stack, 'payments_key_prefix', { value: payments.prefix });
// Hand the secret to the service from here: write it to your secret store in this stack (for
// example an aws_secretsmanager_secret_version), or read it with `tofu output -raw`.
new TerraformOutput(stack, 'payments_secret', { value: payments.secret, sensitive: true });

app.synth();
