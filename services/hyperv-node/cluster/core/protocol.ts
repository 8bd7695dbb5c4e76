/**
 * The cluster core's protocol: the commands it carries out, the messages it receives and the
 * effects it asks its adapter to carry out. Read these unions first: they specify the protocol.
 */
import type { Decision, TimerEffect } from '../../../actor/actor.js';
import type { ErrorCode } from '../../../actor/errors.js';
import type { VmSpec } from '../../../process/config.js';
import type { ClusterConfig, ClusterState, MigrationResult, View, VmState } from './state.js';

/** Requests to the cluster, carried out by the leader (other nodes forward them). */
export type Command =
  | {
      op: 'makeHa';
      vm: VmSpec;
      owner: string;
      vmState: VmState;
      preferredOwners: string[];
      allowFailback: boolean;
    }
  | { op: 'online'; role: string }
  | { op: 'offline'; role: string }
  | { op: 'beginMove'; role: string; to: string; kind: 'live' | 'quick' }
  | { op: 'endMove'; role: string; ok: boolean }
  | { op: 'moveCsv'; volume: string; to: string }
  | { op: 'failRole'; role: string; from: string; reason: string }
  /** Pause a node (nothing moves to it); `drain` also moves its roles off by live migration. */
  | { op: 'pauseNode'; node: string; drain: boolean }
  | { op: 'resumeNode'; node: string };

/** Every message the cluster core receives: timers, peers, the witness, storage, VMs, callers. */
export type ClusterMsg =
  | { type: 'tick' }
  | { type: 'witnessTick' }
  /** A heartbeat's answer (or its timeout); `sentAt` is when this node sent the request (the effect's). */
  | { type: 'hbResult'; peer: string; ok: boolean; view?: View; sentAt?: number }
  | { type: 'hbRequest'; view: View }
  | {
      type: 'witnessResult';
      op: 'arbitrate' | 'defend' | 'get';
      ok: boolean;
      outcome?: 'granted' | 'challenged' | 'denied';
      owner?: string;
      epoch?: number;
      status?: 'online' | 'offline';
      retryAfterMs?: number;
      /** A defence's answer: someone challenges this holder right now. */
      challenged?: boolean;
      configVersion?: number;
      config?: ClusterConfig | null;
      error?: string;
    }
  | {
      type: 'configPush';
      from: string;
      config: ClusterConfig;
      epoch: number;
      members: string[];
      leader: string;
    }
  | { type: 'command'; replyTo: string; cmd: Command }
  | { type: 'fenceDone'; ok: boolean; victims: string[]; error?: string }
  | { type: 'fenceSafe' }
  /** The chassis's management module announced that a peer's blade was powered off (NATS). */
  | { type: 'peerPoweredOff'; node: string }
  | { type: 'registered'; ok: boolean; error?: string }
  | { type: 'vmState'; name: string; state: VmState }
  | { type: 'vmOpDone'; name: string; op: string; ok: boolean; error?: string }
  | { type: 'vmFault'; name: string; reason: string }
  /** A start the VM manager accepted failed before the VM ran (it is reported Off next). */
  | { type: 'vmStartFailed'; name: string; error: string }
  /** Move a role this node owns to another node; `vmState` is the VM manager's state of its VM now. */
  | {
      type: 'moveRequest';
      replyTo: string;
      role: string;
      to: string;
      kind: 'live' | 'quick';
      vmState: VmState;
    }
  /**
   * The administrator stops or starts this node's cluster service (`forceQuorum`: start it with
   * /forcequorum); the caller hears back on `replyTo`.
   */
  | { type: 'serviceControl'; replyTo: string; action: 'stop' | 'start'; forceQuorum: boolean }
  /** The leader's answer to a command this node asked of it (askLeader). */
  | { type: 'leaderAnswer'; requestId: string; ok: boolean; code?: ErrorCode; message?: string }
  /** The VM manager's migration ended. */
  | {
      type: 'migrated';
      moveId: string;
      ok: boolean;
      result?: MigrationResult;
      code?: ErrorCode;
      message?: string;
    };

/** Every effect the adapter carries out for the core (timers are the actor's). */
export type ClusterEffect =
  /** A heartbeat request; the adapter hands `sentAt` back in the hbResult it leads to. */
  | { type: 'heartbeat'; peer: string; view: View; timeoutMs: number; sentAt: number }
  | { type: 'witness'; op: 'arbitrate' | 'defend' | 'get'; epoch: number; configVersion: number }
  | {
      type: 'push';
      to: string[];
      config: ClusterConfig;
      epoch: number;
      members: string[];
      leader: string;
      /** Copies needed to commit: (N/2 rounded down) + 1, the leader's own and a disk witness's count (docs/domain.md §Vote arithmetic). */
      needed: number;
      replyTo: string[];
    }
  | { type: 'fence'; victims: string[] }
  | { type: 'register' }
  /** A command for the leader, from this node (e.g. a role that exhausted its restarts). */
  | { type: 'forward'; cmd: Command }
  | { type: 'vm'; op: 'define' | 'start' | 'turnOff' | 'save' | 'remove'; name: string; spec?: VmSpec }
  | { type: 'csv'; volume: string; coordinator: string | null }
  | { type: 'persist'; config: ClusterConfig }
  | {
      type: 'reply';
      replyTo: string;
      ok: boolean;
      code?: ErrorCode;
      message?: string;
      /** A move's figures, for a moveRequest that succeeded. */
      result?: MigrationResult;
    }
  /** Ask the leader to carry out a command; its answer comes back as leaderAnswer. */
  | { type: 'askLeader'; requestId: string; cmd: Command }
  /** Migrate a VM this node runs; the outcome comes back as migrated. */
  | { type: 'migrate'; moveId: string; role: string; to: string; kind: 'live' | 'quick' }
  /** A migration ended, for the node's metrics (blackoutMs only when it succeeded). */
  | { type: 'migrationObserved'; kind: 'live' | 'quick'; ok: boolean; blackoutMs: number | null }
  | { type: 'event'; eventId: number; kind: string; message: string; data: Record<string, unknown> };

/** The effect that logs one cluster event (built by event-catalog.ts). */
export type ClusterEventEffect = Extract<ClusterEffect, { type: 'event' }>;

/** Everything the core may ask for: the adapter's effects and the actor's timers. */
export type ClusterEffectOrTimer = ClusterEffect | TimerEffect<ClusterMsg>;
/** What `decideCluster` returns: the new state and the effects to carry out. */
export type ClusterDecision = Decision<ClusterState, ClusterEffectOrTimer>;
