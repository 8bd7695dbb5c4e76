/**
 * The cluster adapter's NATS traffic between nodes (adapter): node requests (subjects.clusterNode,
 * node-protocol.ts), both the asking and the answering side, and the chassis's power-off notices.
 * Heartbeats go through the node's heartbeat thread (netft/).
 */
import type { Subscription } from '@nats-io/transport-node';
import { DcboxError } from '../../actor/errors.js';
import { fromServiceError } from '../../transport/grpc-errors.js';
import { decodeJson, encodeJson, type NatsConnection } from '../../transport/nats.js';
import { subjects } from '../../transport/subjects.js';
import type { NodeReply, NodeRequest } from './node-protocol.js';

/** One node's end of the cluster network: its NATS connection, its cluster and its name. */
export class NodeLink {
  constructor(
    private readonly nc: NatsConnection,
    private readonly cluster: string,
    private readonly host: string,
  ) {}

  /** Answers other nodes' requests with what `handle` resolves to, or its error as data with a code. */
  serveRequests(handle: (req: NodeRequest) => Promise<unknown>): Subscription {
    return this.nc.subscribe(subjects.clusterNode(this.cluster, this.host), {
      callback: (_err, msg) => {
        let req: NodeRequest;
        try {
          req = decodeJson<NodeRequest>(msg.data);
        } catch {
          msg.respond(
            encodeJson({
              ok: false,
              code: 'INVALID_ARGUMENT',
              message: 'malformed cluster request',
            } satisfies NodeReply),
          );
          return;
        }
        void handle(req).then(
          (result) => msg.respond(encodeJson({ ok: true, result } satisfies NodeReply)),
          (err) => {
            const e = fromServiceError(err);
            msg.respond(encodeJson({ ok: false, code: e.code, message: e.message } satisfies NodeReply));
          },
        );
      },
    });
  }

  /**
   * Hands `onOff` the name of every host whose power the chassis's management module announced
   * off (subjects.chassisPower); malformed announcements are ignored.
   */
  watchPowerOffs(onOff: (host: string) => void): Subscription {
    return this.nc.subscribe(subjects.chassisPowerAll, {
      callback: (_err, msg) => {
        try {
          const a = decodeJson<{ host?: unknown; on?: unknown }>(msg.data);
          if (typeof a.host === 'string' && a.on === false) onOff(a.host);
        } catch {
          // Not an announcement: ignored.
        }
      },
    });
  }

  /** Sends a request to another node: its result, or its error as a DcboxError with its code. */
  async request(node: string, req: NodeRequest, timeoutMs: number): Promise<unknown> {
    const m = await this.nc
      .request(subjects.clusterNode(this.cluster, node), encodeJson(req), { timeout: timeoutMs })
      .catch((err) => {
        throw new DcboxError(
          'UNAVAILABLE',
          `cannot reach ${node} over the cluster network: ${(err as Error).message}`,
        );
      });
    const reply = decodeJson<NodeReply>(m.data);
    if (!reply.ok) throw new DcboxError(reply.code, reply.message);
    return reply.result;
  }
}
