import { App, TerraformVariable, Testing } from 'cdktf';
import {
  PERMISSION_CATALOG,
  PermissionedKey,
  Permissions,
} from '../../provider/cdktf/src';
import { newStack, parsed, synthError, synthValidated } from './helpers';

Testing.setupJest();

const ALLOWED = 'allowed resources: *, api_keys, authorizations, counterparties, expected_payments, '
  + 'external_accounts, internal_accounts, ledgers, payment_orders, transactions, webhooks';

describe('Permissions builders', () => {
  it('render the catalog strings', () => {
    expect(Permissions.readOnly().permissions).toEqual(['*:read']);
    expect(Permissions.fullAccess().permissions).toEqual(['*:write']);
    expect(Permissions.read('payment_orders').permissions).toEqual(['payment_orders:read']);
    expect(Permissions.write('payment_orders').permissions).toEqual(['payment_orders:write']);
    expect(Permissions.viewApiKeys().permissions).toEqual(['api_keys:read']);
    expect(Permissions.manageApiKeys().permissions).toEqual(['api_keys:write']);
    expect(Permissions.authorize().permissions).toEqual(['authorizations:write']);
  });

  it('combine into one sorted set without duplicates, as the control plane stores it', () => {
    const set = Permissions.write('transactions', 'counterparties')
      .and(Permissions.read('ledgers', 'counterparties'), Permissions.manageApiKeys())
      .and(Permissions.write('counterparties'));
    expect(set.permissions).toEqual([
      'api_keys:write', 'counterparties:read', 'counterparties:write', 'ledgers:read', 'transactions:write',
    ]);
    expect(Permissions.combine(Permissions.readOnly(), Permissions.readOnly()).permissions).toEqual(['*:read']);
    expect(set.validate()).toEqual([]);
  });

  it('are immutable', () => {
    const base = Permissions.read('ledgers');
    base.and(Permissions.write('webhooks'));
    base.restrictToAccounts(['acc_1']);
    expect(base.permissions).toEqual(['ledgers:read']);
    expect(base.internalAccountIds).toBeUndefined();
  });

  it('restrict to accounts, sorted and without duplicates', () => {
    const set = Permissions.write('payment_orders').restrictToAccounts(['acc_2', 'acc_1', 'acc_2']);
    expect(set.internalAccountIds).toEqual(['acc_1', 'acc_2']);
    // The restriction is key-wide: combining keeps it.
    expect(set.and(Permissions.read('ledgers')).internalAccountIds).toEqual(['acc_1', 'acc_2']);
    expect(Permissions.read('ledgers').and(set).internalAccountIds).toEqual(['acc_1', 'acc_2']);
  });

  it('accept every resource of the catalog', () => {
    const all = PERMISSION_CATALOG.map((entry) => entry.resource);
    expect(Permissions.write(...all).validate()).toEqual([]);
    const readable = PERMISSION_CATALOG.filter((entry) => entry.actions.includes('read')).map((entry) => entry.resource);
    expect(readable).not.toContain('authorizations');
  });
});

describe('Permissions validation', () => {
  it('rejects an unknown resource naming the value and the allowed ones', () => {
    const problems = Permissions.of('payment_order:write').validate();
    expect(problems).toEqual([`unknown resource "payment_order" in permission "payment_order:write"; ${ALLOWED}`]);
  });

  it('rejects an unknown resource passed around the types (plain JavaScript)', () => {
    const problems = Permissions.read('invoices' as never).validate();
    expect(problems).toEqual([`unknown resource "invoices" in permission "invoices:read"; ${ALLOWED}`]);
  });

  it('rejects an action a resource does not support, and unknown actions', () => {
    expect(Permissions.read('authorizations' as never).validate()).toEqual([
      'resource "authorizations" does not support read (permission "authorizations:read"); allowed actions for authorizations: write',
    ]);
    expect(Permissions.of('ledgers:delete').validate()).toEqual([
      'unknown action "delete" in permission "ledgers:delete"; allowed actions: read, write',
    ]);
    expect(Permissions.of('ledgers').validate()).toEqual([
      'invalid permission "ledgers"; expected resource:action, for example payment_orders:write or *:read',
    ]);
  });

  it('gathers every problem of a set at once', () => {
    const problems = Permissions.of('payment_order:write', 'ledgers:delete', 'webhooks:read')
      .restrictToAccounts(['acc 1', 'ok_account'])
      .validate();
    expect(problems).toEqual([
      'unknown action "delete" in permission "ledgers:delete"; allowed actions: read, write',
      `unknown resource "payment_order" in permission "payment_order:write"; ${ALLOWED}`,
      'invalid internal account id "acc 1"; expected 1 to 64 letters, digits, "_", "." or "-", starting with a letter or digit',
    ]);
  });

  it('rejects an empty set, an empty restriction and conflicting restrictions', () => {
    expect(Permissions.of().validate()).toEqual([
      'permissions must not be empty; start from Permissions.readOnly(), Permissions.read(...) or Permissions.write(...)',
    ]);
    expect(Permissions.readOnly().restrictToAccounts([]).validate()).toEqual([
      'restrictToAccounts needs at least one internal account id; leave it out to allow every account',
    ]);
    const a = Permissions.write('payment_orders').restrictToAccounts(['acc_1']);
    const b = Permissions.write('transactions').restrictToAccounts(['acc_2']);
    expect(a.and(b).validate()).toEqual([
      'conflicting account restrictions [acc_1] and [acc_2]; a key has one restriction for all its account-scoped '
      + 'permissions, so call restrictToAccounts once on the combined set',
    ]);
    // The same accounts in another order are no conflict.
    const c = Permissions.write('transactions').restrictToAccounts(['acc_2', 'acc_1']);
    expect(Permissions.read('ledgers').restrictToAccounts(['acc_1', 'acc_2']).and(c).validate()).toEqual([]);
  });

  it('rejects more than 100 permissions or accounts', () => {
    const many = Array.from({ length: 101 }, (_, i) => `acc_${i}`);
    expect(Permissions.write('payment_orders').restrictToAccounts(many).validate()).toEqual([
      'too many internal account ids (101); a key is restricted to at most 100',
    ]);
  });

  it('skips values known only at deploy time (tokens)', () => {
    const stack = newStack();
    const resource = new TerraformVariable(stack, 'resource', { type: 'string' });
    const accounts = new TerraformVariable(stack, 'accounts', { type: 'list(string)' });
    const account = new TerraformVariable(stack, 'account', { type: 'string' });
    expect(Permissions.of(`${resource.stringValue}:read`).validate()).toEqual([]);
    expect(Permissions.readOnly().restrictToAccounts(accounts.listValue).validate()).toEqual([]);
    // Known values next to a token are still checked.
    expect(Permissions.of(`${resource.stringValue}:read`, 'nope:read').restrictToAccounts([account.stringValue, 'bad id']).validate())
      .toEqual([
        `unknown resource "nope" in permission "nope:read"; ${ALLOWED}`,
        'invalid internal account id "bad id"; expected 1 to 64 letters, digits, "_", "." or "-", starting with a letter or digit',
      ]);
  });

  it('keeps a whole-list token a list, also when combined', () => {
    const synth = parsed(synthValidated((stack) => {
      const extra = new TerraformVariable(stack, 'extra', { type: 'list(string)' });
      new PermissionedKey(stack, 'Only', { name: 'only', permissions: Permissions.of(...extra.listValue) });
      new PermissionedKey(stack, 'Mixed', {
        name: 'mixed',
        permissions: Permissions.readOnly().and(Permissions.of(...extra.listValue)),
      });
    }));
    const keys = synth.resource.keyplane_api_key;
    expect(keys.Only_38F06F50.permissions).toBe('${var.extra}');
    expect(keys.Mixed_7E0269BF.permissions).toBe('${concat(["*:read"], var.extra)}');
  });
});

describe('validation at synth time', () => {
  it('fails app.synth() with every problem of every key, each under its construct path', () => {
    const app = Testing.app();
    const stack = newStack(app);
    new PermissionedKey(stack, 'Payments', {
      name: 'payments',
      permissions: Permissions.write('payment_order' as never).and(Permissions.of('ledgers:delete')),
    });
    new PermissionedKey(stack, 'Reports', {
      name: 'reports',
      permissions: Permissions.readOnly(),
      gracePeriod: '1 day',
    });
    expect(() => app.synth()).toThrow(
      new RegExp([
        'Validation failed with the following errors:',
        String.raw`  \[stack/Payments\] unknown action "delete" in permission "ledgers:delete"; allowed actions: read, write`,
        String.raw`  \[stack/Payments\] unknown resource "payment_order" in permission "payment_order:write"; allowed resources: \*, api_keys, `,
      ].join('\n')),
    );
    expect(() => app.synth()).toThrow(
      '[stack/Reports] invalid gracePeriod "1 day"; expected a go duration such as 30m, 24h or 1h30m (units: ns, us, µs, ms, s, m, h)',
    );
  });

  it('passes when every key is valid', () => {
    const app: App = Testing.app();
    const stack = newStack(app);
    new PermissionedKey(stack, 'Reports', { name: 'reports', permissions: Permissions.readOnly() });
    expect(() => app.synth()).not.toThrow();
  });

  it('reports through Testing.synth with validations on', () => {
    expect(synthError((stack) => {
      new PermissionedKey(stack, 'Empty', { name: 'empty', permissions: Permissions.of() });
    })).toContain('[stack/Empty] permissions must not be empty');
  });
});
