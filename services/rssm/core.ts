/**
 * The RAID SAS Switch Module's pure core: zoning (which blades may use this switch) and the
 * counters its status shows. Forwarding itself is stateless and lives in forward.ts.
 */
import type { Ctx, Decision } from '../actor/actor.js';
import { DcboxError } from '../actor/errors.js';

/** An I_T nexus: the blade host and the port (path) a command arrived on. */
export interface Initiator {
  host: string;
  port: string;
}

/** What the switch remembers: its zoning and how many commands it passed or failed. */
export interface RssmState {
  bay: number;
  zonedHosts: string[];
  forwardedIos: number;
  errors: number;
}

/** Messages the core decides on. */
export type RssmMsg =
  | { type: 'setZoning'; hosts: string[] }
  /** A command went to the controller and came back ok or failed. */
  | { type: 'forwarded'; ok: boolean }
  /** A command was refused here (not zoned, malformed) without reaching the controller. */
  | { type: 'refused' };

/** The RSSM core has no effects, only state: forwarding is done by the adapter, not decided. */
export type RssmEffect = never;

/** What decideRssm returns: the next state and (always) no effects. */
export type RssmDecision = Decision<RssmState, RssmEffect>;

/** The switch's state at power-on: the zoning from the topology and zeroed counters. */
export function initialRssmState(bay: number, zonedHosts: string[]): RssmState {
  return { bay, zonedHosts: [...new Set(zonedHosts)], forwardedIos: 0, errors: 0 };
}

/** Decides one message; the RSSM core has no effects, only state. */
export function decideRssm(state: RssmState, msg: RssmMsg, _ctx: Ctx): RssmDecision {
  switch (msg.type) {
    case 'setZoning':
      return { state: { ...state, zonedHosts: [...new Set(msg.hosts)] }, effects: [] };
    case 'forwarded':
      return {
        state: { ...state, forwardedIos: state.forwardedIos + 1, errors: state.errors + (msg.ok ? 0 : 1) },
        effects: [],
      };
    case 'refused':
      return { state: { ...state, errors: state.errors + 1 }, effects: [] };
  }
}

/**
 * Admits a blade's command through this switch: its host must be zoned here, and the port is
 * stamped with the switch's own name, so each blade has one SAS path (one I_T nexus) per RSSM.
 * Throws NOT_ZONED for a host outside the zone.
 */
export function admit(zonedHosts: readonly string[], initiator: Initiator | null, rssm: string): Initiator {
  if (!initiator?.host)
    throw new DcboxError('INVALID_ARGUMENT', `a command through ${rssm} needs an initiator host`);
  if (!zonedHosts.includes(initiator.host)) {
    throw new DcboxError(
      'NOT_ZONED',
      `host ${initiator.host} is not zoned on ${rssm} (zoned: ${zonedHosts.join(', ') || 'none'})`,
    );
  }
  return { host: initiator.host, port: rssm };
}
