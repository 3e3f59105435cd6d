import { CATALOG } from '../../control-plane/src/domain/permissions';
import { PERMISSION_CATALOG } from '../../provider/cdktf/src';

// The construct library checks permissions at synth time, offline, so it carries a copy of the
// catalog the control plane publishes. This test keeps the copy from drifting.
describe('the construct library catalog', () => {
  it('matches the control plane catalog', () => {
    const controlPlane = CATALOG.map((e) => ({ resource: e.resource, actions: [...e.actions], accountScoped: e.account_scoped }));
    const library = PERMISSION_CATALOG.map((e) => ({ resource: e.resource, actions: [...e.actions], accountScoped: e.accountScoped }));
    expect(library).toEqual(controlPlane);
  });
});
