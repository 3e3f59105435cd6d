import { App, TerraformStack, Testing } from 'cdktf';
import { KeyplaneProvider } from '../../provider/cdktf/src';
// Brings in the typings of the matchers that `Testing.setupJest()` registers.
import type {} from 'cdktf/lib/testing/adapters/jest';

/** A stack with the default keyplane provider, as users write it. */
export function newStack(app: App = Testing.app()): TerraformStack {
  const stack = new TerraformStack(app, 'stack');
  new KeyplaneProvider(stack, 'keyplane');
  return stack;
}

/** Synthesizes with validations on, as `app.synth()` does (`Testing.synthScope` skips them). */
export function synthValidated(build: (stack: TerraformStack) => void): string {
  const stack = newStack();
  build(stack);
  return Testing.synth(stack, true);
}

/** The synthesized JSON as an object. */
export function parsed(synth: string): any {
  return JSON.parse(synth);
}

/** The validation error message of a synth, or fails the test when it succeeds. */
export function synthError(build: (stack: TerraformStack) => void): string {
  try {
    synthValidated(build);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected synthesis to fail validation');
}
