import { Token } from 'cdktf';
import { goDurationNanoseconds, goDurationProblems } from './duration';

/** The anchor of a rotation schedule without `from`. */
export const DEFAULT_SCHEDULE_FROM = '1970-01-01T00:00:00Z';

/** What `RotatingKey` takes as `rotationSchedule` (declared there). */
export interface ScheduleSpec {
  readonly every: string;
  readonly from?: string;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

/** An RFC 3339 timestamp in nanoseconds since the Unix epoch; `undefined` when it is not one. */
export function rfc3339Nanoseconds(value: string): bigint | undefined {
  const match = RFC3339.exec(value);
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (match[8] !== undefined) {
    const [offsetHours, offsetMins] = [Number(match[9]), Number(match[10])];
    if (offsetHours > 23 || offsetMins > 59) return undefined;
    offsetMinutes = (match[8] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day); // not Date.UTC, which reads years 0–99 as 1900–1999
  date.setUTCHours(hour, minute, second, 0);
  const fraction = BigInt((match[7] ?? '').padEnd(9, '0').slice(0, 9));
  return BigInt(date.getTime() - offsetMinutes * 60_000) * 1_000_000n + fraction;
}

function daysInMonth(year: number, month: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month, 0);
  return date.getUTCDate();
}

function nowNanoseconds(now: Date): bigint | undefined {
  const ms = now.getTime();
  return Number.isFinite(ms) ? BigInt(ms) * 1_000_000n : undefined;
}

/**
 * Problems with a rotation schedule at the instant `now`, in lower-case messages naming the
 * value. Unlike other props, tokens are refused: the generation is computed at synth time.
 */
export function scheduleProblems(schedule: ScheduleSpec, now: Date, prop = 'rotationSchedule'): string[] {
  const problems: string[] = [];
  const { every } = schedule;
  const from = schedule.from ?? DEFAULT_SCHEDULE_FROM;
  if (Token.isUnresolved(every)) {
    problems.push(`${prop}.every must be known at synth time, where the generation is computed; got a token`);
  } else {
    const shape = goDurationProblems(every, `${prop}.every`);
    problems.push(...shape);
    if (shape.length === 0 && goDurationNanoseconds(every) === 0n) {
      problems.push(`${prop}.every "${every}" must be longer than zero`);
    }
  }
  if (Token.isUnresolved(from)) {
    problems.push(`${prop}.from must be known at synth time, where the generation is computed; got a token`);
  } else {
    const fromNs = rfc3339Nanoseconds(from);
    const nowNs = nowNanoseconds(now);
    if (fromNs === undefined) {
      problems.push(`invalid ${prop}.from "${from}"; expected an rfc 3339 timestamp such as 2025-01-06T09:00:00Z`);
    } else if (nowNs === undefined) {
      problems.push(`the clock of ${prop} returned an invalid date`);
    } else if (fromNs > nowNs) {
      problems.push(
        `${prop}.from "${from}" is in the future (now is ${now.toISOString()}); `
        + 'generations count from it, so it must have passed',
      );
    }
  }
  return problems;
}

/** The number of whole periods of `every` from `from` to `now`; `undefined` when invalid. */
export function scheduleGeneration(schedule: ScheduleSpec, now: Date): bigint | undefined {
  if (scheduleProblems(schedule, now).length > 0) return undefined;
  const everyNs = goDurationNanoseconds(schedule.every)!;
  const fromNs = rfc3339Nanoseconds(schedule.from ?? DEFAULT_SCHEDULE_FROM)!;
  return (nowNanoseconds(now)! - fromNs) / everyNs; // non-negative, so truncation is floor
}

/**
 * The trigger value: `<every>@<from>#<generation>`, with `from` as written (or the default). It
 * changes when a period boundary passes, and when `every` or `from` is edited. Synthesis of an
 * invalid schedule fails validation; the value is then `<every>@<from>#invalid`.
 */
export function scheduleTrigger(schedule: ScheduleSpec, now: Date): string {
  const generation = scheduleGeneration(schedule, now);
  return `${schedule.every}@${schedule.from ?? DEFAULT_SCHEDULE_FROM}#${generation ?? 'invalid'}`;
}
