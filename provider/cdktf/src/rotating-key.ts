import { NullProvider } from '@cdktf/provider-null/lib/provider';
import { Resource as NullResource } from '@cdktf/provider-null/lib/resource';
import { Lazy, TerraformProvider, TerraformStack, Token } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { KeyOptions, PermissionedKey } from './permissioned-key';
import { scheduleProblems, scheduleTrigger } from './rotation-schedule';

/**
 * A rotation schedule kept in git: the key is replaced at the first plan after each period
 * boundary, without a commit.
 */
export interface RotationSchedule {
  /**
   * The period between rotations, as a Go duration such as `720h` (30 days) or `168h` (a week).
   * Must be longer than zero and known at synth time.
   */
  readonly every: string;

  /**
   * The anchor the periods count from, as an RFC 3339 timestamp that has passed: boundaries fall
   * at `from + n × every`. Choose it to put rotations at a convenient time, for example a Monday
   * 09:00 with `every: '168h'`.
   *
   * @default '1970-01-01T00:00:00Z'
   */
  readonly from?: string;
}

export interface RotatingKeyProps extends KeyOptions {
  /**
   * The rotation value, kept in git: a generation number (`1`, `2`, …) or a date
   * (`'2025-06-01'`). Changing it makes the next plan replace the key, creating the new key
   * before the old one is archived (after `gracePeriod`, if set).
   */
  readonly rotation: string | number;

  /**
   * Also rotate on a schedule: at synth time the construct computes the generation
   * `floor((now - from) / every)` and adds `schedule = "<every>@<from>#<generation>"` to the
   * trigger, so the first plan after a period boundary replaces the key (create before destroy,
   * with `gracePeriod` as for a `rotation` change). Nothing rotates until someone plans: pair it
   * with a scheduled pipeline that runs plan and apply. Adding, removing or editing the schedule
   * changes the trigger too, and so rotates the key once. `rotation` still works alongside it.
   *
   * @default - no schedule: the key rotates only when `rotation` changes
   */
  readonly rotationSchedule?: RotationSchedule;

  /**
   * The clock the schedule's generation is computed with (tests inject a fixed one). Read once
   * per construct, at the first synthesis.
   *
   * @internal
   * @default - the system clock
   */
  readonly now?: () => Date;

  /**
   * The `null` provider for the rotation trigger.
   *
   * @default - the stack's default (unaliased) `null` provider; when the stack has none yet, one
   * is created at the stack root with the construct id `KeyplaneNullProvider` and the version
   * constraint `~> 3.2`
   */
  readonly nullProvider?: NullProvider;
}

/**
 * A Keyplane API key rotated by a value kept in git.
 *
 * A `null_resource` (child `RotationTrigger`) carries the rotation value in its `triggers`; the
 * key (child `Resource`) has `replace_triggered_by` pointing at it and `create_before_destroy`,
 * so bumping the value replaces the key with the new one created first. With `gracePeriod`, the
 * old key keeps working for that long after it is destroyed, so consumers can reload the secret.
 *
 * With `rotationSchedule`, the trigger also carries the schedule's current generation, so the first
 * plan after each period boundary rotates the key without a commit.
 *
 * Construct ids are part of the public contract: `Resource` (the key, the same id as in
 * `PermissionedKey`, so a `PermissionedKey` can become a `RotatingKey` without replacement) and
 * `RotationTrigger`. Changing the path changes the Terraform addresses and replaces the key.
 */
export class RotatingKey extends PermissionedKey {
  /** The construct id of the `null_resource` child that carries the rotation value. */
  public static readonly TRIGGER_ID = 'RotationTrigger';

  /** The construct id of the `null` provider created at the stack root when the stack has none. */
  public static readonly NULL_PROVIDER_ID = 'KeyplaneNullProvider';

  /** The `null_resource` whose replacement replaces the key. */
  public readonly trigger: NullResource;

  public constructor(scope: Construct, id: string, props: RotatingKeyProps) {
    super(scope, id, { ...props, createBeforeDestroy: true });
    if (props.nullProvider === undefined) ensureNullProvider(TerraformStack.of(this));
    const triggers: Record<string, string> = { rotation: rotationString(props.rotation) };
    const schedule = props.rotationSchedule;
    let instant: Date | undefined;
    // One reading for every resolution and the validation, so they agree on the generation.
    const now = () => (instant ??= (props.now ?? (() => new Date()))());
    if (schedule !== undefined) {
      triggers.schedule = Lazy.stringValue({ produce: () => scheduleTrigger(schedule, now()) });
    }
    this.trigger = new NullResource(this, RotatingKey.TRIGGER_ID, {
      triggers,
      provider: props.nullProvider,
    });
    this.resource.lifecycle = {
      ...this.resource.lifecycle,
      createBeforeDestroy: true,
      // cdktf 0.21 renders a construct here as "${null_resource.x}", which Terraform and OpenTofu
      // refuse (the JSON string is parsed as a bare reference); give the bare address instead.
      replaceTriggeredBy: [Lazy.stringValue({ produce: () => `${this.trigger.terraformResourceType}.${this.trigger.friendlyUniqueId}` })],
    };
    this.node.addValidation({
      validate: () => [
        ...rotationProblems(props.rotation),
        ...(schedule === undefined ? [] : scheduleProblems(schedule, now())),
      ],
    });
  }
}

function rotationString(rotation: string | number): string {
  if (typeof rotation === 'string') return rotation;
  return Token.isUnresolved(rotation) ? Token.asString(rotation) : String(rotation);
}

function rotationProblems(rotation: string | number): string[] {
  if (Token.isUnresolved(rotation)) return [];
  if (typeof rotation === 'number' && !Number.isFinite(rotation)) {
    return [`invalid rotation ${rotation}; expected a generation number or a date kept in git`];
  }
  if (typeof rotation === 'string' && rotation.trim() === '') {
    return ['rotation must not be empty; use a generation number or a date kept in git'];
  }
  return [];
}

function isDefaultNullProvider(node: IConstruct): node is TerraformProvider {
  return TerraformProvider.isTerraformProvider(node)
    && node.terraformResourceType === 'null'
    && node.alias === undefined;
}

function ensureNullProvider(stack: TerraformStack): void {
  if (stack.node.findAll().some(isDefaultNullProvider)) return;
  const created = new DefaultNullProvider(stack, RotatingKey.NULL_PROVIDER_ID);
  // A default null provider added to the stack after this one would be a duplicate provider
  // configuration in Terraform; say so at synth time instead.
  created.node.addValidation({
    validate: () => stack.node.findAll().filter(isDefaultNullProvider).length > 1
      ? [
        `the stack has a null provider besides the one RotatingKey created (${created.node.path}); `
        + 'create your NullProvider before the first RotatingKey, or pass it as nullProvider',
      ]
      : [],
  });
}

/**
 * The null provider RotatingKey creates. Prebuilt bindings pin the exact version they were
 * generated from (`3.2.4`), which fails `init` wherever only another 3.x is available (a mirror,
 * a newer registry release required elsewhere); a provider nobody asked for should not pin.
 */
class DefaultNullProvider extends NullProvider {
  public static readonly VERSION_CONSTRAINT = '~> 3.2';

  public override toTerraform(): any {
    return relaxVersion(super.toTerraform());
  }

  public override toHclTerraform(): any {
    return relaxVersion(super.toHclTerraform());
  }
}

function relaxVersion(config: any): any {
  const requirement = config?.terraform?.required_providers?.null;
  if (requirement !== undefined) requirement.version = DefaultNullProvider.VERSION_CONSTRAINT;
  return config;
}
