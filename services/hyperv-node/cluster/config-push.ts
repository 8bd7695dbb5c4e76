/**
 * Configuration pushes from the leader's adapter (adapter): each push goes to every member over
 * NATS (as a delta when it can, config-delta.ts) and to the witness, and commits on a majority of
 * copies; one push per membership is in flight at a time.
 */
import { DcboxError } from '../../actor/errors.js';
import type { WitnessClient } from '../../generated/dcbox/witness/v1/Witness.js';
import type { Logger } from '../../process/log.js';
import { deadline, rpc } from '../../transport/grpc.js';
import { decodeJson, encodeJson, type NatsConnection } from '../../transport/nats.js';
import { subjects } from '../../transport/subjects.js';
import { configDelta } from './config-delta.js';
import type { ClusterEffect } from './core/protocol.js';
import { commitError } from './core/replication.js';
import type { ClusterConfig } from './core/state.js';
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

  /** The configuration each member last acknowledged from this node, and in which membership. */
  private readonly acked = new Map<string, { epoch: number; config: ClusterConfig }>();

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
    const acks = await this.sendToMembers(e);
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
          deadline(this.link.timeoutMs),
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

  /**
   * Sends the push to every member: a delta from the configuration it last acknowledged from this
   * leader in this membership, else (or when it answers that it no longer holds that one) the
   * whole configuration. Each distinct request is encoded once, whatever the members it goes to.
   */
  private async sendToMembers(e: Push): Promise<boolean[]> {
    const head = {
      kind: 'push' as const,
      from: this.link.host,
      epoch: e.epoch,
      members: e.members,
      leader: e.leader,
    };
    const encoded = new Map<ClusterConfig | null, Uint8Array>();
    const encode = (base: ClusterConfig | null): Uint8Array => {
      let data = encoded.get(base);
      if (!data) {
        const delta = base && configDelta(base, e.config);
        const req: NodeRequest = delta ? { ...head, delta } : { ...head, config: e.config };
        data = encodeJson(req);
        encoded.set(base, data);
      }
      return data;
    };
    return Promise.all(
      e.to.map(async (to) => {
        const acked = this.acked.get(to);
        const base = acked?.epoch === e.epoch ? acked.config : null;
        let reply = await this.request(to, encode(base));
        if (base && reply?.ok === false && reply.code === 'BAD_STATE')
          reply = await this.request(to, encode(null));
        if (reply?.ok) this.acked.set(to, { epoch: e.epoch, config: e.config });
        else this.acked.delete(to);
        return reply?.ok === true;
      }),
    );
  }

  /**
   * One member's answer to a push, or null when it gave none in time. A member is given as long
   * to store a copy as it would take to be declared down (delay × threshold): the Global Update
   * Manager waits on every member, and a member that cannot answer is removed by the membership,
   * not by an update's timeout. A busy member (hundreds of roles in the configuration) is slow,
   * not gone.
   */
  private request(to: string, data: Uint8Array): Promise<NodeReply | null> {
    return this.link.nc
      .request(subjects.clusterNode(this.link.cluster, to), data, { timeout: this.link.timeoutMs })
      .then((m) => decodeJson<NodeReply>(m.data))
      .catch(() => null);
  }
}
