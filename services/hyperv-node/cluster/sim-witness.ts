/**
 * The witness of the cluster simulation (test support): the real witness core (shared with the
 * quorum service through services/witness-protocol/), its store answering at once, and the
 * translation of a node's witness effect into the witnessResult the node would get.
 */
import type { Random } from '../../actor/clock.js';
import {
  type ArbitrateBody,
  type DefendBody,
  decideWitness,
  initialState as initialWitness,
  type ReplyBody,
  viewState,
  type WitnessMsg,
  type WitnessState,
} from '../../witness-protocol/core.js';
import type { ClusterEffect, ClusterMsg } from './core/protocol.js';
import type { ClusterConfig } from './core/state.js';

type WitnessCall = Extract<ClusterEffect, { type: 'witness' }>;
type WitnessResult = Extract<ClusterMsg, { type: 'witnessResult' }>;

/** The simulated witness: one real witness core, durable in memory. */
export class SimWitness {
  state: WitnessState;
  private seq = 0;

  constructor(
    opts: { kind: 'disk' | 'file-share'; challengeWaitMs: number },
    private readonly random: Random,
  ) {
    this.state = initialWitness({
      kind: opts.kind,
      cluster: 'C',
      challengeWaitMs: opts.challengeWaitMs,
      probeIntervalMs: 250,
      configJsonBytesMax: 1 << 20,
    });
  }

  /** Feeds the witness core; its store answers at once (durable in memory). */
  step(msg: WitnessMsg, now: number): Map<string, ReplyBody> {
    const out = new Map<string, ReplyBody>();
    const pending: WitnessMsg[] = [msg];
    while (pending.length) {
      const m = pending.shift() as WitnessMsg;
      const d = decideWitness(this.state, m, { now, random: this.random, self: 'witness' });
      this.state = d.state;
      for (const e of d.effects) {
        if (e.type === 'load') pending.push({ type: 'loaded', seq: e.seq, doc: null });
        else if (e.type === 'save' || e.type === 'probe') pending.push({ type: 'stored', seq: e.seq });
        else if (e.type === 'reply') out.set(e.reqId, e.body);
      }
    }
    return out;
  }

  /** Stores a configuration a leader pushed, as its PutConfig call would. */
  putConfig(node: string, config: ClusterConfig, now: number): void {
    this.step(
      {
        type: 'putConfig',
        reqId: `p${++this.seq}`,
        node,
        epoch: this.state.doc.epoch,
        configVersion: config.version,
        configJson: JSON.stringify(config),
      },
      now,
    );
  }

  /**
   * Carries out a node's witness call now; the returned function gives the answer the node
   * receives when it arrives (an arbitration's answer carries the configuration stored then).
   */
  call(node: string, e: WitnessCall, now: number): (arrivedAt: number) => WitnessResult {
    if (e.op === 'get') {
      const v = viewState(this.state, now);
      const config = this.config(now);
      return () => ({
        type: 'witnessResult',
        op: 'get',
        ok: true,
        owner: v.owner || undefined,
        epoch: v.epoch,
        status: v.status,
        config,
      });
    }
    const reqId = `w${++this.seq}`;
    const replies = this.step(
      e.op === 'arbitrate'
        ? { type: 'arbitrate', reqId, node, configVersion: e.configVersion }
        : { type: 'defend', reqId, node, epoch: e.epoch },
      now,
    );
    const body = replies.get(reqId);
    return (arrivedAt) => this.answer(e.op, body, arrivedAt);
  }

  private answer(op: WitnessCall['op'], body: ReplyBody | undefined, arrivedAt: number): WitnessResult {
    if (!body) return { type: 'witnessResult', op, ok: false, error: 'no answer' };
    if ('outcome' in body) {
      const a = body as ArbitrateBody;
      return {
        type: 'witnessResult',
        op: 'arbitrate',
        ok: true,
        outcome: a.outcome,
        owner: a.owner || undefined,
        epoch: a.epoch,
        retryAfterMs: a.retry_after_ms,
        configVersion: a.config_version,
        config: this.config(arrivedAt),
      };
    }
    const d = body as DefendBody;
    return {
      type: 'witnessResult',
      op: 'defend',
      ok: true,
      outcome: d.ok ? 'granted' : 'denied',
      owner: d.owner || undefined,
      epoch: d.epoch,
      challenged: d.challenged,
    };
  }

  private config(now: number): ClusterConfig | null {
    const v = viewState(this.state, now);
    return v.config_json ? (JSON.parse(v.config_json) as ClusterConfig) : null;
  }
}
