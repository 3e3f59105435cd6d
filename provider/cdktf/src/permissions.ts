import { Fn, Token, Tokenization } from 'cdktf';
import {
  PERMISSION_CATALOG,
  PermissionResource,
  PermissionString,
  ReadablePermissionResource,
  catalogEntry,
} from './catalog';

const ACTIONS = ['read', 'write'];
const MAX_PERMISSIONS = 100;
const MAX_ACCOUNTS = 100;
const INTERNAL_ACCOUNT_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const ALLOWED_RESOURCES = ['*', ...PERMISSION_CATALOG.map((entry) => entry.resource)].join(', ');

interface PermissionsState {
  /** Permission strings; an element may be a string token. */
  readonly strings: readonly string[];
  /** Whole-list tokens (for example a `list(string)` variable), kept apart so they stay lists. */
  readonly listTokens: readonly string[][];
  /** The account restriction; undefined = every account. May be a list token. */
  readonly accounts?: readonly string[];
  /** Problems found while combining, reported with the others at synth time. */
  readonly combineProblems: readonly string[];
}

/**
 * A set of key permissions built from typed parts, for example
 * `Permissions.read('payment_orders').and(Permissions.write('counterparties'))`.
 *
 * Instances are immutable: every method returns a new set. Nothing is checked when a set is
 * built; the constructs that use it (`PermissionedKey`, `RotatingKey`) check it at synth time
 * and report every problem at once. Values known only at deploy time (tokens) are not checked.
 */
export class Permissions {
  /** `*:read`: read every resource that supports read. */
  public static readOnly(): Permissions {
    return Permissions.of('*:read');
  }

  /** `*:write`: read and write every resource (what an organization admin holds). */
  public static fullAccess(): Permissions {
    return Permissions.of('*:write');
  }

  /** `resource:read` for each resource given. */
  public static read(...resources: ReadablePermissionResource[]): Permissions {
    return Permissions.of(...resources.map((resource) => `${resource}:read`));
  }

  /** `resource:write` (which includes read) for each resource given. */
  public static write(...resources: PermissionResource[]): Permissions {
    return Permissions.of(...resources.map((resource) => `${resource}:write`));
  }

  /** `api_keys:read`: the developers View permission (list and read keys and their request logs). */
  public static viewApiKeys(): Permissions {
    return Permissions.of('api_keys:read');
  }

  /**
   * `api_keys:write`: the developers Manage permission (create, edit, archive keys, retrieve their
   * secrets), what a key needs to drive Terraform.
   */
  public static manageApiKeys(): Permissions {
    return Permissions.of('api_keys:write');
  }

  /** `authorizations:write`: may ask `POST /v1/authorize` whether another key may do something. */
  public static authorize(): Permissions {
    return Permissions.of('authorizations:write');
  }

  /**
   * Permissions from `resource:action` strings, for example read from configuration. They are
   * checked against the catalog at synth time like the typed ones. A whole-list token (such as
   * `variable.listValue`) may be passed as the only argument.
   */
  public static of(...permissions: Array<PermissionString | (string & {})>): Permissions {
    if (permissions.length > 0 && Tokenization.reverseList(permissions) !== undefined) {
      return new Permissions({ strings: [], listTokens: [permissions], combineProblems: [] });
    }
    return new Permissions({ strings: permissions, listTokens: [], combineProblems: [] });
  }

  /** The union of the sets given (same rules as `and`). */
  public static combine(...sets: Permissions[]): Permissions {
    const [first, ...rest] = sets;
    return first === undefined ? Permissions.of() : first.and(...rest);
  }

  private constructor(private readonly state: PermissionsState) {}

  /**
   * The union of this set and the others. A key has one account restriction for all its
   * account-scoped permissions: the result keeps the restriction of whichever side has one, and
   * combining sets restricted to different accounts is reported as a problem.
   */
  public and(...others: Permissions[]): Permissions {
    let state = this.state;
    for (const other of others) {
      const problems = [...state.combineProblems, ...other.state.combineProblems];
      let accounts = state.accounts ?? other.state.accounts;
      if (state.accounts !== undefined && other.state.accounts !== undefined
        && accountsKey(state.accounts) !== accountsKey(other.state.accounts)) {
        problems.push(
          `conflicting account restrictions [${state.accounts.join(', ')}] and [${other.state.accounts.join(', ')}]; `
          + 'a key has one restriction for all its account-scoped permissions, so call restrictToAccounts once on the combined set',
        );
        accounts = state.accounts;
      }
      state = {
        strings: [...state.strings, ...other.state.strings],
        listTokens: [...state.listTokens, ...other.state.listTokens],
        accounts,
        combineProblems: problems,
      };
    }
    return new Permissions(state);
  }

  /**
   * Restricts the account-scoped permissions (`expected_payments`, `internal_accounts`,
   * `payment_orders`, `transactions`, and those `*` covers) to these internal account IDs. Other
   * permissions are not affected. Replaces any restriction set before on this set.
   */
  public restrictToAccounts(internalAccountIds: string[]): Permissions {
    return new Permissions({ ...this.state, accounts: internalAccountIds });
  }

  /**
   * The permission strings, sorted and without duplicates as the control plane returns them (a
   * token when the set includes a list token).
   */
  public get permissions(): string[] {
    const strings = [...new Set(this.state.strings)].sort();
    const lists = this.state.listTokens;
    if (lists.length === 0) return strings;
    if (lists.length === 1 && strings.length === 0) return lists[0];
    return Fn.concat(strings.length === 0 ? [...lists] : [strings, ...lists]);
  }

  /** The account restriction, sorted and without duplicates; undefined = every account. */
  public get internalAccountIds(): string[] | undefined {
    const accounts = this.state.accounts;
    if (accounts === undefined || Token.isUnresolved(accounts)) return accounts as string[] | undefined;
    return [...new Set(accounts)].sort();
  }

  /** Every problem with this set, as lower-case messages naming the bad value; empty when valid. */
  public validate(): string[] {
    const problems = [...this.state.combineProblems];
    const strings = [...new Set(this.state.strings)].sort();
    if (strings.length === 0 && this.state.listTokens.length === 0) {
      problems.push(
        'permissions must not be empty; start from Permissions.readOnly(), Permissions.read(...) or Permissions.write(...)',
      );
    }
    if (strings.length > MAX_PERMISSIONS) {
      problems.push(`too many permissions (${strings.length}); a key holds at most ${MAX_PERMISSIONS}`);
    }
    for (const permission of strings) {
      if (Token.isUnresolved(permission)) continue;
      problems.push(...permissionProblems(permission));
    }
    problems.push(...accountProblems(this.state.accounts));
    return problems;
  }

  /** The permission strings, for messages and debugging. */
  public toString(): string {
    return this.state.listTokens.length === 0 ? this.permissions.join(', ') : '(includes a list token)';
  }
}

function permissionProblems(permission: string): string[] {
  const match = /^([^:]*):([^:]*)$/.exec(permission);
  if (match === null) {
    return [`invalid permission "${permission}"; expected resource:action, for example payment_orders:write or *:read`];
  }
  const [, resource, action] = match;
  const problems: string[] = [];
  const entry = catalogEntry(resource);
  if (resource !== '*' && entry === undefined) {
    problems.push(`unknown resource "${resource}" in permission "${permission}"; allowed resources: ${ALLOWED_RESOURCES}`);
  }
  if (!ACTIONS.includes(action)) {
    problems.push(`unknown action "${action}" in permission "${permission}"; allowed actions: ${ACTIONS.join(', ')}`);
  } else if (entry !== undefined && !entry.actions.includes(action as 'read' | 'write')) {
    problems.push(
      `resource "${resource}" does not support ${action} (permission "${permission}"); allowed actions for ${resource}: ${entry.actions.join(', ')}`,
    );
  }
  return problems;
}

function accountProblems(accounts: readonly string[] | undefined): string[] {
  if (accounts === undefined || Token.isUnresolved(accounts)) return [];
  const problems: string[] = [];
  if (accounts.length === 0) {
    problems.push('restrictToAccounts needs at least one internal account id; leave it out to allow every account');
  }
  const unique = new Set(accounts);
  if (unique.size > MAX_ACCOUNTS) {
    problems.push(`too many internal account ids (${unique.size}); a key is restricted to at most ${MAX_ACCOUNTS}`);
  }
  for (const id of unique) {
    if (Token.isUnresolved(id) || INTERNAL_ACCOUNT_ID.test(id)) continue;
    problems.push(
      `invalid internal account id "${id}"; expected 1 to 64 letters, digits, "_", "." or "-", starting with a letter or digit`,
    );
  }
  return problems;
}

function accountsKey(accounts: readonly string[]): string {
  return [...new Set(accounts)].sort().join('\n');
}
