/**
 * The gRPC handlers of the administrator's verbs on a node (dcbox.cluster.v1.Cluster PauseNode,
 * ResumeNode, StopNode, StartNode; docs/domain.md §Administrator verbs): pause and resume are
 * commands for the leader; stop and start go to the node whose service they act on, forwarded
 * over NATS when another node answered the call.
 */
import { DcboxError } from '../../actor/errors.js';
import { unary } from '../../transport/grpc.js';
import type { Command } from './core/protocol.js';
import type { NodeRequest } from './node-protocol.js';

/** What the handlers need of the node's cluster service. */
export interface AdminPort {
  /** This node's name. */
  host: string;
  /** Every cluster node's name, as configured. */
  nodeNames: string[];
  toLeader(cmd: Command): Promise<void>;
  /** Stops or starts this node's cluster service; resolves once done (a stop: once it left). */
  serviceControl(action: 'stop' | 'start', forceQuorum: boolean): Promise<void>;
  request(node: string, req: NodeRequest, timeoutMs: number): Promise<unknown>;
  /** A node as this node sees it (dcbox.cluster.v1.NodeView). */
  nodeView(node: string): unknown;
}

/** How long a stop may take: every role's quick migration, one after another. */
const STOP_TIMEOUT_MS = 170_000;

/** The configured name of a node, matched without regard to case (as Windows does). */
function nodeName(port: AdminPort, name: string): string {
  const found = port.nodeNames.find((n) => n.toLowerCase() === name.toLowerCase());
  if (!found) throw new DcboxError('INVALID_ARGUMENT', `no cluster node named ${name}`);
  return found;
}

/** Stop or start the service on `node`: here, or forwarded to it. */
async function control(port: AdminPort, node: string, action: 'stop' | 'start', forceQuorum: boolean) {
  if (node === port.host) await port.serviceControl(action, forceQuorum);
  else await port.request(node, { kind: 'service', action, forceQuorum }, STOP_TIMEOUT_MS);
  return port.nodeView(node);
}

/** The handlers, to spread into the Cluster service's implementation. */
export function adminHandlers(port: AdminPort) {
  return {
    PauseNode: unary(async (req: { node: string; drain: boolean }) => {
      const node = nodeName(port, req.node);
      await port.toLeader({ op: 'pauseNode', node, drain: req.drain });
      return port.nodeView(node);
    }),
    ResumeNode: unary(async (req: { node: string }) => {
      const node = nodeName(port, req.node);
      await port.toLeader({ op: 'resumeNode', node });
      return port.nodeView(node);
    }),
    StopNode: unary((req: { node: string }) => control(port, nodeName(port, req.node), 'stop', false)),
    StartNode: unary((req: { node: string; force_quorum: boolean }) =>
      control(port, nodeName(port, req.node), 'start', req.force_quorum),
    ),
  };
}
