import { NullProvider } from '@cdktf/provider-null/lib/provider';
import { Resource as NullResource } from '@cdktf/provider-null/lib/resource';
import { TerraformOutput, TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { ApiKey, PermissionedKey, Permissions, RotatingKey } from '../../provider/cdktf/src';
import { newStack, parsed, synthError, synthValidated } from './helpers';

Testing.setupJest();

// The Terraform addresses are the public contract: these literals must not change.
const KEY = 'Payments_130453D3';
const TRIGGER = 'Payments_RotationTrigger_BE04F397';

const payments = (rotation: string | number, extra: Partial<ConstructorParameters<typeof RotatingKey>[2]> = {}) =>
  (stack: TerraformStack) => {
    new RotatingKey(stack, 'Payments', {
      name: 'payments',
      permissions: Permissions.write('payment_orders'),
      rotation,
      ...extra,
    });
  };

describe('RotatingKey', () => {
  it('wires the key to a null_resource trigger carrying the rotation value', () => {
    const synth = synthValidated(payments(7));
    const resources = parsed(synth).resource;
    expect(resources.null_resource).toEqual({ [TRIGGER]: { triggers: { rotation: '7' } } });
    expect(resources.keyplane_api_key[KEY]).toEqual({
      name: 'payments',
      permissions: ['payment_orders:write'],
      lifecycle: {
        create_before_destroy: true,
        // A bare address: Terraform and OpenTofu parse each JSON string here as a reference and
        // refuse cdktf's default "${null_resource.…}" rendering.
        replace_triggered_by: [`null_resource.${TRIGGER}`],
      },
    });
    expect(synth).toHaveResourceWithProperties(NullResource, { triggers: { rotation: '7' } });
  });

  it('changes only the trigger value when the rotation value changes, at the same addresses', () => {
    const before = parsed(synthValidated(payments('2025-01-01'))).resource;
    const after = parsed(synthValidated(payments('2025-07-01'))).resource;
    expect(before.null_resource[TRIGGER].triggers.rotation).toBe('2025-01-01');
    expect(after.null_resource[TRIGGER].triggers.rotation).toBe('2025-07-01');
    expect(after.keyplane_api_key).toEqual(before.keyplane_api_key);
  });

  it('maps gracePeriod to archive_grace_period, so the old key outlives its replacement', () => {
    const synth = synthValidated(payments(1, { gracePeriod: '24h' }));
    expect(synth).toHaveResourceWithProperties(ApiKey, {
      archive_grace_period: '24h',
      lifecycle: { create_before_destroy: true, replace_triggered_by: [`null_resource.${TRIGGER}`] },
    });
  });

  it('reports a bad grace period and a bad rotation value together', () => {
    const message = synthError(payments(Number.NaN, { gracePeriod: 'tomorrow' }));
    expect(message).toContain('[stack/Payments] invalid gracePeriod "tomorrow"; expected a go duration');
    expect(message).toContain('[stack/Payments] invalid rotation NaN; expected a generation number or a date kept in git');
    expect(synthError(payments(' '))).toContain('[stack/Payments] rotation must not be empty');
  });

  it('accepts a rotation value known only at deploy time', () => {
    const synth = parsed(synthValidated((stack) => {
      const generation = new TerraformVariable(stack, 'generation', { type: 'number' });
      payments(generation.numberValue)(stack);
    }));
    expect(synth.resource.null_resource[TRIGGER].triggers.rotation).toBe('${var.generation}');
  });

  it('creates a null provider when the stack has none, without pinning an exact version', () => {
    const synth = parsed(synthValidated((stack) => {
      payments(1)(stack);
      new RotatingKey(stack, 'Reports', { name: 'reports', permissions: Permissions.readOnly(), rotation: 1 });
    }));
    expect(synth.provider.null).toEqual([{}]);
    expect(synth.terraform.required_providers.null).toEqual({ source: 'null', version: '~> 3.2' });
  });

  it('uses the null provider already in the stack', () => {
    const stack = newStack();
    new NullProvider(stack, 'null');
    payments(1)(stack);
    const synth = parsed(Testing.synth(stack, true));
    expect(stack.node.tryFindChild(RotatingKey.NULL_PROVIDER_ID)).toBeUndefined();
    expect(synth.provider.null).toEqual([{}]);
    expect(synth.terraform.required_providers.null).toEqual({ source: 'null', version: '3.2.4' });
  });

  it('uses the null provider it is given', () => {
    const synth = synthValidated((stack) => {
      const nullProvider = new NullProvider(stack, 'null', { alias: 'rotation' });
      payments(1, { nullProvider })(stack);
    });
    expect(parsed(synth).provider.null).toEqual([{ alias: 'rotation' }]);
    expect(synth).toHaveResourceWithProperties(NullResource, { provider: 'null.rotation' });
  });

  it('reports a null provider added after the one it created', () => {
    expect(synthError((stack) => {
      payments(1)(stack);
      new NullProvider(stack, 'null');
    })).toContain(
      '[stack/KeyplaneNullProvider] the stack has a null provider besides the one RotatingKey created '
      + '(stack/KeyplaneNullProvider); create your NullProvider before the first RotatingKey, or pass it as nullProvider',
    );
  });

  it('keeps the key address of a PermissionedKey it replaces in code (same child id "Resource")', () => {
    const permissioned = parsed(synthValidated((stack) => {
      new PermissionedKey(stack, 'Payments', { name: 'payments', permissions: Permissions.write('payment_orders') });
    }));
    expect(Object.keys(permissioned.resource.keyplane_api_key)).toEqual([KEY]);
    expect(RotatingKey.TRIGGER_ID).toBe('RotationTrigger');
    expect(RotatingKey.NULL_PROVIDER_ID).toBe('KeyplaneNullProvider');
  });

  it('follows an overridden logical id of the trigger', () => {
    const synth = parsed(synthValidated((stack) => {
      payments(1)(stack);
      (stack.node.findChild('Payments') as RotatingKey).trigger.overrideLogicalId('payments_rotation');
    }));
    expect(synth.resource.null_resource).toEqual({ payments_rotation: { triggers: { rotation: '1' } } });
    expect(synth.resource.keyplane_api_key[KEY].lifecycle.replace_triggered_by).toEqual(['null_resource.payments_rotation']);
  });

  it('exposes the key attributes', () => {
    const synth = parsed(synthValidated((stack) => {
      payments(1)(stack);
      const key = stack.node.findChild('Payments') as RotatingKey;
      new TerraformOutput(stack, 'secret', { value: key.secret, sensitive: true });
      new TerraformOutput(stack, 'id', { value: key.id });
      new TerraformOutput(stack, 'prefix', { value: key.prefix });
    }));
    expect(synth.output.secret.value).toBe(`\${keyplane_api_key.${KEY}.secret}`);
    expect(synth.output.id.value).toBe(`\${keyplane_api_key.${KEY}.id}`);
    expect(synth.output.prefix.value).toBe(`\${keyplane_api_key.${KEY}.prefix}`);
  });
});
