/**
 * The cluster adapter's witness calls (adapter): Get, Defend and Arbitrate over gRPC, turned into
 * the witnessResult messages the core decides on.
 */

import type { ArbitrateResponse__Output } from '../../generated/dcbox/witness/v1/ArbitrateResponse.js';
import type { DefendResponse__Output } from '../../generated/dcbox/witness/v1/DefendResponse.js';
import type { WitnessClient } from '../../generated/dcbox/witness/v1/Witness.js';
import type { WitnessState__Output } from '../../generated/dcbox/witness/v1/WitnessState.js';
import { deadline, rpc } from '../../transport/grpc.js';
import { fromServiceError } from '../../transport/grpc-errors.js';
import type { ClusterMsg } from './core/protocol.js';
import { type ClusterConfig, type SavedClusterConfig, upgradeConfig } from './core/state.js';

/** How this node reaches the witness: its client (null without a witness), its name, its timeout. */
export interface WitnessLink {
  client: WitnessClient | null;
  node: string;
  timeoutMs: number;
  /** A disk witness keeps the configuration: an arbitration also reads it back. */
  keepsConfig: boolean;
}

/** Calls the witness for the core; every outcome, failures included, becomes a witnessResult. */
export async function callWitness(
  link: WitnessLink,
  op: 'arbitrate' | 'defend' | 'get',
  epoch: number,
  configVersion: number,
): Promise<ClusterMsg> {
  const w = link.client;
  if (!w) return { type: 'witnessResult', op, ok: false, error: 'no witness in this topology' };
  const timeoutMs = link.timeoutMs;
  try {
    const get = () => rpc<WitnessState__Output>((cb) => w.Get({}, deadline(timeoutMs), cb));
    const configOf = (st: WitnessState__Output): ClusterConfig | null => {
      if (!st.config_json) return null;
      try {
        return upgradeConfig(JSON.parse(st.config_json) as SavedClusterConfig);
      } catch {
        return null;
      }
    };
    if (op === 'get') {
      const st = await get();
      return {
        type: 'witnessResult',
        op,
        ok: true,
        owner: st.owner || undefined,
        epoch: Number(st.epoch),
        status: st.status === 'offline' ? 'offline' : 'online',
        config: configOf(st),
      };
    }
    if (op === 'defend') {
      const r = await rpc<DefendResponse__Output>((cb) =>
        w.Defend({ node: link.node, epoch }, deadline(timeoutMs), cb),
      );
      return {
        type: 'witnessResult',
        op,
        ok: true,
        outcome: r.ok ? 'granted' : 'denied',
        owner: r.owner || undefined,
        epoch: Number(r.epoch),
        challenged: r.challenged,
      };
    }
    const r = await rpc<ArbitrateResponse__Output>((cb) =>
      w.Arbitrate({ node: link.node, config_version: configVersion }, deadline(timeoutMs), cb),
    );
    const st = link.keepsConfig ? await get().catch(() => null) : null;
    return {
      type: 'witnessResult',
      op,
      ok: true,
      outcome: r.outcome as 'granted' | 'challenged' | 'denied',
      owner: r.owner || undefined,
      epoch: Number(r.epoch),
      retryAfterMs: r.retry_after_ms,
      configVersion: Number(r.config_version),
      config: st ? configOf(st) : null,
    };
  } catch (err) {
    return { type: 'witnessResult', op, ok: false, error: fromServiceError(err).message };
  }
}
