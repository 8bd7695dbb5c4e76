/**
 * The event stream, typed and versioned: every event a node's cluster service logs (membership,
 * quorum, witness, CSV coordinator and access, role state, migrations, fencing) and what the
 * orchestrator logs (power, faults, and the path state it observes on each node), as one
 * discriminated union on `kind` with `v: 1`, and the zod schema that checks it. Nodes serve
 * their events over Cluster.Events / Cluster.WatchEvents (proto/cluster.proto) with the fields
 * of `data` as JSON; `toDcboxEvent` turns such a record into this type. The orchestrator merges
 * them with its own into one stream (Orchestrator.Events) that `dcbox events` and the dashboard
 * read; the chaos recorder reads the nodes' streams. docs/protocol.md lists every kind.
 *
 * Adding a field is compatible within v1; renaming or removing one makes v2.
 */
import { z } from 'zod';

const node = z.string().min(1);
const role = z.string().min(1);
const votes = z.object({ votes: z.number().int(), needed: z.number().int(), total: z.number().int() });

/** The `data` of each kind of event, as the cluster core emits it (services/hyperv-node/cluster/core/event-catalog.ts). */
export const eventData = {
  'cluster-formed': z.object({ members: z.array(node) }),
  joined: z.object({ leader: node, members: z.array(node) }),
  'node-joined': z.object({ node }),
  /** Event 1135. The leader that detected it gives the heartbeat counts; the others name the leader. */
  'node-removed': z.object({
    node,
    missedHeartbeats: z.number().int().optional(),
    sameSubnetThreshold: z.number().int().optional(),
    sameSubnetDelayMs: z.number().int().optional(),
    leader: node.optional(),
  }),
  /** Event 1126: this node missed SameSubnetThreshold heartbeats from a member on the cluster network. */
  'netinterface-unreachable': z.object({
    node,
    network: z.string().min(1),
    missedHeartbeats: z.number().int(),
  }),
  /** Event 1177. */
  'quorum-lost': votes,
  'left-cluster': votes,
  'fenced-self': votes,
  'register-failed': z.object({}),
  fenced: z.object({ victims: z.array(node) }),
  'fence-failed': z.object({ victims: z.array(node) }),
  'witness-arbitrated': z.object({ epoch: z.number().int() }),
  'witness-lost': z.object({ owner: node, epoch: z.number().int() }),
  'witness-denied': z.object({ owner: node, epoch: z.number().int() }),
  'witness-offline': z.object({}),
  'config-from-witness': z.object({ version: z.number().int() }),
  /** The administrator's verbs: docs/domain.md §Administrator verbs. */
  'node-paused': z.object({ node, drain: z.boolean() }),
  'node-resumed': z.object({ node }),
  'drain-blocked': z.object({ role, node }),
  'service-stopping': z.object({ node }),
  'node-left': z.object({ node, leader: node, fenced: z.boolean() }),
  'service-started': z.object({ node, forceQuorum: z.boolean() }),
  'quorum-forced': z.object({
    members: z.array(node),
    configVersion: z.number().int(),
    witnessVersion: z.number().int(),
  }),
  /** Event 1561: a file share witness's marker is newer than this node's configuration; it does not form. */
  'partition-in-time': z.object({ configVersion: z.number().int(), witnessVersion: z.number().int() }),
  'csv-coordinator': z.object({
    volume: z.string().min(1),
    coordinator: node.nullable(),
    previous: node.nullable(),
    reason: z.enum(['takeover', 'observed', 'move']),
  }),
  'role-created': z.object({ role, owner: node }),
  /** Event 1201. */
  'role-online': z.object({ role, node }),
  /** Event 1153. */
  failover: z.object({ role, from: node, to: node }),
  failback: z.object({ role, from: node, to: node }),
  /**
   * A role's group is left Failed: Event 1254 when it exceeded its failover threshold
   * (`reason` failover-threshold), 1205 when no node can host it (`no-node`).
   */
  'role-failed': z.object({ role, reason: z.enum(['failover-threshold', 'no-node']).optional() }),
  /** Event 1205 on the owner: the role's VM ran out of restarts there; the leader moves it or leaves it Failed. */
  'role-online-failed': z.object({ role, node, op: z.string() }),
  'role-retry': z.object({ role, owner: z.string() }),
  /** Event 1069. */
  'resource-failed': z.object({ role, op: z.string() }),
  'move-started': z.object({ role, from: node, to: node, kind: z.enum(['live', 'quick']) }),
  'move-completed': z.object({ role, from: node, to: node }),
  'move-failed': z.object({ role, from: node, to: node }),
  /** Logged by the source node's adapter once a migration finished, with its figures. */
  migration: z.object({
    vm: z.string(),
    from: node,
    to: node,
    kind: z.enum(['live', 'quick']),
    passes: z.number().int(),
    bytes_copied: z.number(),
    duration_ms: z.number(),
    blackout_ms: z.number(),
    pass_bytes: z.array(z.number()),
    paused_at_ms: z.number(),
    resumed_at_ms: z.number(),
  }),
  /**
   * A node's access to a Cluster Shared Volume changed (Direct, Redirected, Paused, Offline),
   * logged by the node itself: Event 5121 (Redirected), 5120 (Paused), 5142 (Offline), 0 (back
   * to Direct), with the volume's `reason` and its disk `lun`.
   */
  'csv-mode': z.object({
    volume: z.string().min(1),
    mode: z.string().min(1),
    previous: z.string().nullable(),
    reason: z.string().optional(),
    lun: z.string().optional(),
  }),
  // The events below come from the orchestrator (source 'orchestrator'), not from a node's
  // cluster service: the physics it carries out and what it observes of each node.
  /** The backplane cut or restored a host's power (through the MM, or `dcbox host kill|start`). */
  power: z.object({
    host: z.string().min(1),
    component: z.string().min(1),
    bay: z.object({ kind: z.enum(['blade', 'io']), number: z.number().int() }).nullable(),
    on: z.boolean(),
  }),
  /** A fault lease began (`dcbox chaos`, `dcbox partition`, the dashboard's controls). */
  'fault-injected': z.object({
    id: z.string().min(1),
    fault: z.string().min(1),
    targets: z.array(z.string()),
    detail: z.string(),
    expiresAtMs: z.number(),
  }),
  /** A fault lease ended: lifted by its owner or expired. */
  'fault-lifted': z.object({
    id: z.string().min(1),
    fault: z.string().min(1),
    targets: z.array(z.string()),
    status: z.enum(['lifted', 'expired']),
  }),
  /** A storage path of a node changed state (MPIO, as `datapath query device` shows it). */
  'path-state': z.object({
    lun: z.string().min(1),
    path: z.string().min(1),
    state: z.string().min(1),
    previous: z.string().nullable(),
  }),
} as const;

/** Every kind of event. */
export type EventKind = keyof typeof eventData;
/** The kinds, in the order of the table in docs/protocol.md. */
export const EVENT_KINDS = Object.keys(eventData) as EventKind[];

const envelope = {
  v: z.literal(1),
  /** The node's own sequence number of the event (per node, from 1). */
  index: z.number().int().positive(),
  timeMs: z.number().int().nonnegative(),
  /** The node that logged it. */
  node,
  /** The Windows event id where one exists (docs/domain.md §Event IDs lists them), else 0. */
  eventId: z.number().int().nonnegative(),
  message: z.string(),
  /**
   * Who logged it: a node's cluster service (the default), or the orchestrator, which logs power
   * and faults and what it observes of a node's paths and CSV access (then `node` is that node,
   * or the host the power went to, and `index` counts the orchestrator's own events).
   */
  source: z.enum(['node', 'orchestrator']).optional(),
};

const variant = <K extends EventKind>(kind: K) =>
  z.object({ ...envelope, kind: z.literal(kind), data: eventData[kind] });
const variants = EVENT_KINDS.map(variant);

/** The schema of one event of the stream (version 1). */
export const dcboxEventSchema = z.discriminatedUnion(
  'kind',
  variants as [(typeof variants)[number], ...(typeof variants)[number][]],
);

/** One event of the stream: `{v: 1, index, timeMs, node, eventId, kind, message, data}`, narrowed by kind. */
export type DcboxEvent = {
  [K in EventKind]: {
    v: 1;
    index: number;
    timeMs: number;
    node: string;
    eventId: number;
    kind: K;
    message: string;
    source?: 'node' | 'orchestrator';
    data: z.infer<(typeof eventData)[K]>;
  };
}[EventKind];

/** A ClusterEvent as Cluster.Events and Cluster.WatchEvents serve it. */
export interface ClusterEventWire {
  index: number | string;
  time_ms: number | string;
  node: string;
  event_id: number;
  kind: string;
  message: string;
  data_json: string;
}

/**
 * Turns a served ClusterEvent into a typed event, or fails with what did not match (a node of
 * another version, or a bug): the stream is checked where it is read.
 */
export function toDcboxEvent(e: ClusterEventWire): DcboxEvent {
  return parseEvent({
    v: 1,
    index: Number(e.index),
    timeMs: Number(e.time_ms),
    node: e.node,
    eventId: e.event_id,
    kind: e.kind,
    message: e.message,
    data: e.data_json ? JSON.parse(e.data_json) : {},
  });
}

/** Validates an event against the v1 schema. */
export function parseEvent(x: unknown): DcboxEvent {
  const r = dcboxEventSchema.safeParse(x);
  if (!r.success)
    throw new Error(
      `not a dcbox v1 event (${JSON.stringify(x).slice(0, 200)}): ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return r.data as DcboxEvent;
}
