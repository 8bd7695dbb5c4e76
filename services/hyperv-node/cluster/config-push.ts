/**
 * Configuration pushes from the leader's adapter (adapter): each push goes to every member over
 * NATS and to the witness, and commits on a majority of copies; one push per membership is in
 * flight at a time.
 */
import { DcboxError } from '../../actor/errors.js';
import type { WitnessClient } from '../../generated/dcbox/witness/v1/Witness.js';
import type { Logger } from '../../process/log.js';
import { deadline, rpc } from '../../transport/grpc.js';
import { decodeJson, encodeJson, type NatsConnection } from '../../transport/nats.js';
import { subjects } from '../../transport/subjects.js';
import type { ClusterEffect } from './core/protocol.js';
import { commitError } from './core/replication.js';
import type { NodeReply, NodeRequest } from './node-protocol.js';

type Push = Extract<ClusterEffect, { type: 'push' }>;

/** What pushing needs: the network, this node, the witness, and where callers learn the outcome. */
export interface PushLink {
  nc: NatsConnection;
  cluster: string;
  host: string;
  /** How long a member has to store a copy. */
  timeoutMs: number;
  witness: WitnessClient | null;
  /** A disk witness keeps a copy (and counts toward the commit); a file share does not. */
  witnessKeepsConfig: boolean;
  /** Whether this node holds the witness now, and its epoch. */
  witnessState: () => { held: boolean; epoch: number };
  /** Whether this node still leads a running cluster (a change commits only under its leader). */
  leads: () => boolean;
  /** Tells the caller waiting on `replyTo` that its change committed (null) or did not. */
  settle: (replyTo: string, error: DcboxError | null) => void;
  log: Logger;
}

/** The leader's pushes, one in flight per membership. */
export class ConfigPushQueue {
  private readonly state: { inflight: Promise<void> | null; inflightEpoch: number; next: Push | null } = {
    inflight: null,
    inflightEpoch: -1,
    next: null,
  };

  constructor(private readonly link: PushLink) {}

  /**
   * One configuration push in flight per membership, as the Global Update Manager sends one
   * update at a time: changes that come while a push is out wait and go together as the newest
   * configuration (it contains every change before it), and their callers learn the outcome of
   * that push. Without this, a burst of changes (hundreds of roles made highly available at
   * once) sent hundreds of full copies at the same time and timed out. A new membership does
   * not wait behind a push to the old one (it may be waiting on a node that just died).
   */
  queue(e: Push): void {
    const q = this.state;
    if (q.inflight && q.inflightEpoch === e.epoch) {
      q.next = q.next ? { ...e, replyTo: [...q.next.replyTo, ...e.replyTo] } : e;
      return;
    }
    const run = (p: Push): void => {
      q.inflightEpoch = p.epoch;
      q.inflight = this.push(p)
        .catch((err) => this.link.log('warn', 'a configuration push failed', { error: String(err) }))
        .finally(() => {
          if (q.inflightEpoch !== p.epoch) return; // A newer membership's push took over.
          q.inflight = null;
          const next = q.next;
          q.next = null;
          if (next) run(next);
        });
    };
    if (q.next && q.next.epoch !== e.epoch) {
      // The waiting push belongs to an older membership: the new one carries its changes.
      e = { ...e, replyTo: [...q.next.replyTo, ...e.replyTo] };
      q.next = null;
    }
    run(e);
  }

  /** Replicates a configuration: a change commits on (N/2 rounded down) + 1 copies (docs/domain.md §Vote arithmetic). */
  private async push(e: Push): Promise<void> {
    const req: NodeRequest = {
      kind: 'push',
      from: this.link.host,
      config: e.config,
      epoch: e.epoch,
      members: e.members,
      leader: e.leader,
    };
    // A member is given as long to store a copy as it would take to be declared down (delay ×
    // threshold): the Global Update Manager waits on every member, and a member that cannot answer
    // is removed by the membership, not by an update's timeout. A busy member (hundreds of roles
    // in the configuration) is slow, not gone.
    const timeout = this.link.timeoutMs;
    // Encoded once for every member: with a thousand roles a copy is ~360 KB of JSON.
    const data = encodeJson(req);
    const acks = await Promise.all(
      e.to.map((to) =>
        this.link.nc
          .request(subjects.clusterNode(this.link.cluster, to), data, { timeout })
          .then((m) => decodeJson<NodeReply>(m.data).ok)
          .catch(() => false),
      ),
    );
    let copies = 1 + acks.filter(Boolean).length;
    const st = this.link.witnessState();
    if (this.link.witness && st.held) {
      const w = this.link.witness;
      const stored = await rpc((cb) =>
        w.PutConfig(
          {
            node: this.link.host,
            epoch: st.epoch,
            config_version: e.config.version,
            config_json: this.link.witnessKeepsConfig ? JSON.stringify(e.config) : '',
          },
          deadline(timeout),
          cb,
        ),
      ).then(
        () => true,
        () => false,
      );
      if (stored && this.link.witnessKeepsConfig) copies++;
    }
    const error = commitError(e, copies, this.link.leads());
    for (const r of e.replyTo) this.link.settle(r, error && new DcboxError(error.code, error.message));
  }
}
