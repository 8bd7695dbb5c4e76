/**
 * What one node's cluster adapter asks another over NATS (subjects.clusterNode): a configuration
 * push, a command for the leader, a move for the role's owner, or a stop or start of its service.
 */
import type { ErrorCode } from '../../actor/errors.js';
import type { ConfigDelta } from './config-delta.js';
import type { Command } from './core/protocol.js';
import type { ClusterConfig } from './core/state.js';

/** A request from one node's cluster adapter to another's, over NATS. */
export type NodeRequest =
  /** A configuration push: the whole configuration, or a delta from the last this leader pushed (config-delta.ts). */
  | ({ kind: 'push'; from: string; epoch: number; members: string[]; leader: string } & (
      | { config: ClusterConfig }
      | { delta: ConfigDelta }
    ))
  | { kind: 'command'; cmd: Command }
  | { kind: 'move'; role: string; to: string; live: boolean }
  /** Stop or start the cluster service of the node asked (docs/domain.md §Administrator verbs). */
  | { kind: 'service'; action: 'stop' | 'start'; forceQuorum: boolean };

/** The answer to a NodeRequest: a result, or an error as data with its code. */
export type NodeReply = { ok: true; result?: unknown } | { ok: false; code: ErrorCode; message: string };
