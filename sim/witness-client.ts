/**
 * A node's calls to the witness over the simulated network, as the cluster adapter's
 * witness-client.ts makes them over gRPC: Get, Defend and Arbitrate (followed by a Get for the
 * configuration a disk witness keeps), every outcome — failures included — turned into the
 * witnessResult message the cluster core decides on.
 */
import type { ClusterConfig, ClusterMsg } from '../services/hyperv-node/cluster/core/decide.js';
import { upgradeConfig } from '../services/hyperv-node/cluster/core/decide.js';
import type { SavedClusterConfig } from '../services/hyperv-node/cluster/core/state.js';
import type { ArbitrateBody, DefendBody, StateBody } from '../services/witness-protocol/core.js';
import type { Network, Reply } from './network.js';
import { WITNESS_SERVICE, type WitnessAnswer, type WitnessCall } from './witness.js';

/** How a node reaches the witness. */
export interface WitnessLink {
  net: Network;
  node: string;
  witnessHost: string | null;
  timeoutMs: number;
  /** A disk witness keeps the configuration: an arbitration also reads it back. */
  keepsConfig: boolean;
}

type Op = 'arbitrate' | 'defend' | 'get';

/** The configuration a witness's state carries, or null (none, or unreadable). */
function configOf(st: StateBody): ClusterConfig | null {
  if (!st.config_json) return null;
  // The witness answers every Get with the same document until the next push: parsing it once
  // per text saves a JSON parse per call (the cores never change what they are given).
  if (st.config_json === lastParsed.json) return lastParsed.config;
  let config: ClusterConfig | null;
  try {
    config = upgradeConfig(JSON.parse(st.config_json) as SavedClusterConfig);
  } catch {
    config = null;
  }
  lastParsed = { json: st.config_json, config };
  return config;
}

/** The last configuration text parsed, and what it gave. */
let lastParsed: { json: string; config: ClusterConfig | null } = { json: '', config: null };

/** One call to the witness, answered with its answer (a failed request as an error answer). */
type Caller = (w: WitnessCall, cb: (a: WitnessAnswer) => void) => void;

/** Calls the witness for a node's core; `send` gets the witnessResult. */
export function callWitness(
  link: WitnessLink,
  c: { op: Op; epoch: number; configVersion: number },
  send: (m: ClusterMsg) => void,
): void {
  const { op } = c;
  if (!link.witnessHost) {
    send({ type: 'witnessResult', op, ok: false, error: 'no witness in this topology' });
    return;
  }
  const host = link.witnessHost;
  const call: Caller = (w, cb) =>
    link.net.request(link.node, host, WITNESS_SERVICE, w, link.timeoutMs, (r: Reply) =>
      cb(r.ok ? (r.body as WitnessAnswer) : { ok: false, code: r.code, message: r.message }),
    );
  const answered = (a: WitnessAnswer, then: (body: unknown) => void) => {
    if (a.ok) then(a.body);
    else send({ type: 'witnessResult', op, ok: false, error: a.message });
  };
  if (op === 'get') call({ op: 'get' }, (a) => answered(a, (b) => send(getResult(b as StateBody))));
  else if (op === 'defend')
    call({ op: 'defend', node: link.node, epoch: c.epoch }, (a) =>
      answered(a, (b) => send(defendResult(b as DefendBody))),
    );
  else
    call({ op: 'arbitrate', node: link.node, configVersion: c.configVersion }, (a) =>
      answered(a, (b) => arbitrated(b as ArbitrateBody, link.keepsConfig, call, send)),
    );
}

/** A get's answer as the core's witnessResult: who holds the witness, its status, its configuration. */
function getResult(st: StateBody): ClusterMsg {
  return {
    type: 'witnessResult',
    op: 'get',
    ok: true,
    owner: st.owner || undefined,
    epoch: st.epoch,
    status: st.status === 'offline' ? 'offline' : 'online',
    config: configOf(st),
  };
}

/** A defence's answer as the core's witnessResult. */
function defendResult(r: DefendBody): ClusterMsg {
  return {
    type: 'witnessResult',
    op: 'defend',
    ok: true,
    outcome: r.ok ? 'granted' : 'denied',
    owner: r.owner || undefined,
    epoch: r.epoch,
    challenged: r.challenged,
  };
}

/** An arbitration's answer, with the configuration a disk witness keeps (one more get). */
function arbitrated(r: ArbitrateBody, keepsConfig: boolean, call: Caller, send: (m: ClusterMsg) => void) {
  const answer = (config: ClusterConfig | null) =>
    send({
      type: 'witnessResult',
      op: 'arbitrate',
      ok: true,
      outcome: r.outcome,
      owner: r.owner || undefined,
      epoch: r.epoch,
      retryAfterMs: r.retry_after_ms,
      configVersion: r.config_version,
      config,
    });
  if (!keepsConfig) answer(null);
  else call({ op: 'get' }, (g) => answer(g.ok ? configOf(g.body as StateBody) : null));
}
