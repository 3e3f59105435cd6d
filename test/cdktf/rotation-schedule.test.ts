import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { Permissions, RotatingKey, RotationSchedule } from '../../provider/cdktf/src';
import { newStack, parsed, synthError, synthValidated } from './helpers';

// The Terraform addresses are the public contract (see rotating-key.test.ts).
const KEY = 'Payments_130453D3';
const TRIGGER = 'Payments_RotationTrigger_BE04F397';

// Every test injects the clock; none reads the real time.
const at = (iso: string) => () => new Date(iso);

type Extra = Partial<ConstructorParameters<typeof RotatingKey>[2]>;

const payments = (schedule: RotationSchedule | undefined, now: () => Date, extra: Extra = {}) =>
  (stack: TerraformStack) => {
    new RotatingKey(stack, 'Payments', {
      name: 'payments',
      permissions: Permissions.write('payment_orders'),
      rotation: 3,
      rotationSchedule: schedule,
      now,
      ...extra,
    });
  };

const resources = (schedule: RotationSchedule | undefined, now: string, extra: Extra = {}) =>
  parsed(synthValidated(payments(schedule, at(now), extra))).resource;

const triggers = (schedule: RotationSchedule | undefined, now: string) =>
  resources(schedule, now).null_resource[TRIGGER].triggers;

// A weekly schedule with boundaries on Mondays at 09:00 UTC.
const weekly: RotationSchedule = { every: '168h', from: '2025-01-06T09:00:00Z' };

describe('RotatingKey rotationSchedule', () => {
  it('adds the generation floor((now - from) / every) to the trigger, next to the unchanged rotation value', () => {
    // 2025-01-01 is day 20089 of the Unix epoch; 20089 / 30 = 669.6.
    expect(triggers({ every: '720h' }, '2025-01-01T00:00:00Z')).toEqual({
      rotation: '3',
      schedule: '720h@1970-01-01T00:00:00Z#669',
    });
    expect(triggers(weekly, '2025-03-01T12:00:00Z')).toEqual({
      rotation: '3',
      schedule: '168h@2025-01-06T09:00:00Z#7',
    });
  });

  it('changes the value exactly at a period boundary, and not within a period', () => {
    const schedule = (now: string) => triggers(weekly, now).schedule;
    expect(schedule('2025-01-06T09:00:00Z')).toBe('168h@2025-01-06T09:00:00Z#0'); // from itself
    expect(schedule('2025-01-09T17:30:00Z')).toBe('168h@2025-01-06T09:00:00Z#0');
    expect(schedule('2025-01-13T08:59:59.999Z')).toBe('168h@2025-01-06T09:00:00Z#0');
    expect(schedule('2025-01-13T09:00:00.000Z')).toBe('168h@2025-01-06T09:00:00Z#1');
    expect(schedule('2025-01-20T08:59:59.999Z')).toBe('168h@2025-01-06T09:00:00Z#1');
    expect(schedule('2025-01-20T09:00:00Z')).toBe('168h@2025-01-06T09:00:00Z#2');
  });

  it('replaces only through the trigger: the key configuration stays the same across a boundary', () => {
    const before = resources(weekly, '2025-01-13T08:59:59Z', { gracePeriod: '24h' });
    const after = resources(weekly, '2025-01-13T09:00:00Z', { gracePeriod: '24h' });
    expect(after.keyplane_api_key).toEqual(before.keyplane_api_key);
    expect(after.keyplane_api_key[KEY]).toEqual({
      name: 'payments',
      permissions: ['payment_orders:write'],
      archive_grace_period: '24h',
      lifecycle: { create_before_destroy: true, replace_triggered_by: [`null_resource.${TRIGGER}`] },
    });
    expect(after.null_resource[TRIGGER].triggers.rotation).toBe(before.null_resource[TRIGGER].triggers.rotation);
    expect(after.null_resource[TRIGGER].triggers.schedule).not.toBe(before.null_resource[TRIGGER].triggers.schedule);
  });

  it('counts in exact nanoseconds: fractional durations, fractional seconds and offsets in from', () => {
    // 1.5h from 10:00+01:00 (09:00Z): boundaries at 10:30Z, 12:00Z, …
    const schedule = { every: '1.5h', from: '2025-01-06T10:00:00+01:00' };
    expect(triggers(schedule, '2025-01-06T10:29:59.999Z').schedule).toBe('1.5h@2025-01-06T10:00:00+01:00#0');
    expect(triggers(schedule, '2025-01-06T10:30:00Z').schedule).toBe('1.5h@2025-01-06T10:00:00+01:00#1');
    expect(triggers(schedule, '2025-01-06T12:00:00Z').schedule).toBe('1.5h@2025-01-06T10:00:00+01:00#2');
    // A from with nanoseconds: the boundary is 0.0000005 ms after 09:00:01Z, so 09:00:01.000Z is before it.
    const precise = { every: '1s', from: '2025-01-06T09:00:00.0000005Z' };
    expect(triggers(precise, '2025-01-06T09:00:01.000Z').schedule).toBe('1s@2025-01-06T09:00:00.0000005Z#0');
    expect(triggers(precise, '2025-01-06T09:00:01.001Z').schedule).toBe('1s@2025-01-06T09:00:00.0000005Z#1');
  });

  it('reads the clock once per construct, so every resolution and the validation agree', () => {
    let reads = 0;
    const clock = () => new Date(reads++ === 0 ? '2025-01-13T08:59:59Z' : '2025-01-13T09:00:00Z');
    const stack = newStack();
    payments(weekly, clock)(stack);
    const first = parsed(Testing.synth(stack, true)).resource.null_resource[TRIGGER].triggers.schedule;
    const second = parsed(Testing.synth(stack, true)).resource.null_resource[TRIGGER].triggers.schedule;
    expect([first, second]).toEqual(['168h@2025-01-06T09:00:00Z#0', '168h@2025-01-06T09:00:00Z#0']);
    expect(reads).toBe(1);
  });

  it('leaves stacks without a schedule exactly as before, and never reads the clock', () => {
    const clock = jest.fn(() => new Date('2025-01-13T09:00:00Z'));
    const synth = parsed(synthValidated(payments(undefined, clock)));
    expect(clock).not.toHaveBeenCalled();
    expect(synth.resource).toEqual({
      keyplane_api_key: {
        [KEY]: {
          name: 'payments',
          permissions: ['payment_orders:write'],
          lifecycle: { create_before_destroy: true, replace_triggered_by: [`null_resource.${TRIGGER}`] },
        },
      },
      null_resource: { [TRIGGER]: { triggers: { rotation: '3' } } },
    });
    // The same stack written without the new props at all.
    const plain = parsed(synthValidated((stack) => {
      new RotatingKey(stack, 'Payments', { name: 'payments', permissions: Permissions.write('payment_orders'), rotation: 3 });
    }));
    expect(plain).toEqual(synth);
  });

  it('reports a bad duration, a zero period and a bad from with the other problems', () => {
    const now = at('2025-01-13T09:00:00Z');
    const message = synthError(payments({ every: 'monthly', from: 'last monday' }, now, {
      rotation: ' ',
      gracePeriod: 'tomorrow',
    }));
    expect(message).toContain('[stack/Payments] invalid gracePeriod "tomorrow"; expected a go duration');
    expect(message).toContain('[stack/Payments] rotation must not be empty');
    expect(message).toContain(
      '[stack/Payments] invalid rotationSchedule.every "monthly"; expected a go duration such as 30m, 24h or 1h30m '
      + '(units: ns, us, µs, ms, s, m, h)',
    );
    expect(message).toContain(
      '[stack/Payments] invalid rotationSchedule.from "last monday"; expected an rfc 3339 timestamp such as 2025-01-06T09:00:00Z',
    );

    for (const every of ['0s', '0h0m', '0.0000000001s']) {
      expect(synthError(payments({ every }, now))).toContain(`[stack/Payments] rotationSchedule.every "${every}" must be longer than zero`);
    }
    for (const from of ['2025-01-06', '2025-01-06 09:00:00Z', '2025-02-29T00:00:00Z', '2025-01-06T24:00:00Z', '2025-01-06T09:00:00+25:00']) {
      expect(synthError(payments({ every: '24h', from }, now))).toContain(`[stack/Payments] invalid rotationSchedule.from "${from}"`);
    }
  });

  it('reports a from in the future', () => {
    expect(synthError(payments({ every: '24h', from: '2025-01-13T09:00:00.001Z' }, at('2025-01-13T09:00:00Z')))).toContain(
      '[stack/Payments] rotationSchedule.from "2025-01-13T09:00:00.001Z" is in the future (now is 2025-01-13T09:00:00.000Z); '
      + 'generations count from it, so it must have passed',
    );
  });

  it('refuses a schedule known only at deploy time: the generation is computed at synth time', () => {
    expect(synthError((stack) => {
      const every = new TerraformVariable(stack, 'every', { type: 'string' });
      payments({ every: every.stringValue }, at('2025-01-13T09:00:00Z'))(stack);
    })).toContain('[stack/Payments] rotationSchedule.every must be known at synth time, where the generation is computed; got a token');
  });

  it('fails app.synth() with the validation errors, not while resolving the trigger', () => {
    const app = Testing.app();
    payments({ every: '0s', from: 'soon' }, at('2025-01-13T09:00:00Z'))(newStack(app));
    expect(() => app.synth()).toThrow(/rotationSchedule\.every "0s" must be longer than zero[\s\S]*invalid rotationSchedule\.from "soon"/);
  });
});
