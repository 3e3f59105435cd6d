import { Token } from 'cdktf';

// The shape Go's time.ParseDuration accepts (without a sign), which the provider parses.
const GO_DURATION = /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/;
const PART = /([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)/g;
const SECONDS: Record<string, number> = { ns: 1e-9, us: 1e-6, 'µs': 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
const NANOSECONDS: Record<string, bigint> = {
  ns: 1n, us: 1_000n, 'µs': 1_000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n,
};

/** The longest grace period the control plane accepts (`grace_period_seconds` ≤ 30 days). */
export const MAX_GRACE_PERIOD_SECONDS = 30 * 24 * 3600;

/**
 * Problems with the shape of a Go duration, in lower-case messages naming the value; none for a
 * token (known only at deploy time) or when it is left out.
 */
export function goDurationProblems(value: string | undefined, prop: string): string[] {
  if (value === undefined || Token.isUnresolved(value)) return [];
  if (!GO_DURATION.test(value)) {
    return [
      `invalid ${prop} "${value}"; expected a go duration such as 30m, 24h or 1h30m (units: ns, us, µs, ms, s, m, h)`,
    ];
  }
  return [];
}

/**
 * A Go duration in nanoseconds, computed the way Go's time.ParseDuration does (fractions of a
 * unit truncated to whole nanoseconds); `undefined` when it is not one.
 */
export function goDurationNanoseconds(value: string): bigint | undefined {
  if (!GO_DURATION.test(value)) return undefined;
  let total = 0n;
  for (const [, amount, unit] of value.matchAll(PART)) {
    const [whole, fraction = ''] = amount.split('.');
    total += BigInt(whole) * NANOSECONDS[unit];
    if (fraction !== '') total += (BigInt(fraction) * NANOSECONDS[unit]) / 10n ** BigInt(fraction.length);
  }
  return total;
}

/**
 * Problems with a grace period, in lower-case messages naming the value; none for a token (known
 * only at deploy time) or when it is left out.
 */
export function gracePeriodProblems(value: string | undefined, prop = 'gracePeriod'): string[] {
  const shape = goDurationProblems(value, prop);
  if (shape.length > 0 || value === undefined || Token.isUnresolved(value)) return shape;
  let seconds = 0;
  for (const [, amount, unit] of value.matchAll(PART)) seconds += Number(amount) * SECONDS[unit];
  if (seconds > MAX_GRACE_PERIOD_SECONDS) {
    return [`${prop} "${value}" is longer than the control plane allows; at most 720h (30 days)`];
  }
  return [];
}
