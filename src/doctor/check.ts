import type { BridgeError } from '../errors/catalogue';
import type { DoctorContext } from './context';

/** The steps doctor can run, in the order they are shown. */
export type CheckId = 'identity' | 'validity' | 'renewal' | 'reissue' | 'proxy' | 'auth' | 'app' | 'app-cert' | 'mcp' | 'cache';

/** ✓ pass, ! warn (works, but needs attention), ✗ fail, - skipped because a step it needs did not pass. */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

/** What a check found. A warning or failure names a catalogue entry so the report can print its fix. */
export type CheckOutcome =
  | { status: 'pass'; detail: string }
  | { status: 'warn' | 'fail'; detail: string; error: BridgeError };

export interface Check {
  id: CheckId;
  /** Short label for the checklist line. */
  title: string;
  /** Steps whose failure makes this one pointless: it is skipped when any of them failed or was skipped. */
  needs: CheckId[];
  /** Throwing a BridgeError is a failure with that tag; checks record what later steps need on the context. */
  run(ctx: DoctorContext): Promise<CheckOutcome>;
}

export const pass = (detail: string): CheckOutcome => ({ status: 'pass', detail });
export const warn = (error: BridgeError): CheckOutcome => ({ status: 'warn', detail: error.detail, error });
export const fail = (error: BridgeError): CheckOutcome => ({ status: 'fail', detail: error.detail, error });
