import type { Principal } from '../auth/principal';

export interface AuthState {
  principal?: Principal;
  /** The key the credential identified, even when it was refused: its request log records the request. */
  loggedKey?: { id: string; organizationId: string };
  /** Why an identified key was refused (request log only, never in the response). */
  refusal?: string;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      requestId: string;
      startedAt: bigint;
      receivedAt: Date;
      clientIp: string;
      auth: AuthState;
    }
  }
}

export {};
