/**
 * The blade's operating system shutting down, as the management module's soft power off asks for
 * it: before the power goes, the node's cluster service moves every role it owns to another
 * member, as Windows Server 2008 R2 does when a node is shut down. A VM whose offline action is
 * Save (the default) moves by quick migration (docs/domain.md §Resources and groups). The node
 * then answers, and the MM cuts the power. Adapter: the plan is pure (planShutdownMoves), the moves
 * go through the cluster service.
 */
import type { ShutdownReply } from '../generated/dcbox/node/v1/ShutdownReply.js';
import type { Logger } from '../process/log.js';

/** The parts of the node's cluster view the plan reads (dcbox.cluster.v1.ClusterState). */
export interface ShutdownView {
  members: string[];
  nodes: { name: string; state: string }[];
  roles: { name: string; owner: string; state: string }[];
}

/** One move the shutdown asks for: quick for a running role, an owner change otherwise. */
export interface ShutdownPlanMove {
  role: string;
  to: string;
  live: boolean;
}

/**
 * The moves of `node`'s roles: each role it owns goes to the first other member that is Up, by
 * quick migration (live: false). With no other member up, nothing can take them: the roles stay
 * and go down with the power, as the last node of a cluster takes its groups offline.
 */
export function planShutdownMoves(view: ShutdownView, node: string): ShutdownPlanMove[] {
  const self = node.toLowerCase();
  const up = new Set(view.nodes.filter((n) => n.state === 'Up').map((n) => n.name));
  const to = view.members.find((m) => m.toLowerCase() !== self && (up.size === 0 || up.has(m)));
  if (!to) return [];
  return view.roles
    .filter((r) => r.owner.toLowerCase() === self)
    .map((r) => ({ role: r.name, to, live: false }));
}

/** What the shutdown needs of the cluster service. */
export interface ShutdownCluster {
  stateView(): ShutdownView;
  moveOwnedRole(role: string, to: string, live: boolean): Promise<unknown>;
}

/**
 * Runs the OS shutdown once: a second request while it runs (or after) gets the same answer.
 * A move that fails does not stop the shutdown, as a shutting-down Windows node does not wait
 * forever for a group: the role then fails over when the power goes.
 */
export function osShutdown(
  node: string,
  cluster: ShutdownCluster,
  log: Logger,
): () => Promise<ShutdownReply> {
  let running: Promise<ShutdownReply> | null = null;
  const run = async (): Promise<ShutdownReply> => {
    const plan = planShutdownMoves(cluster.stateView(), node);
    log('info', 'operating system shutdown: moving the roles of this node away', { moves: plan });
    const moves: ShutdownReply['moves'] = [];
    for (const m of plan) {
      try {
        await cluster.moveOwnedRole(m.role, m.to, m.live);
        moves.push({ role: m.role, to: m.to, kind: m.live ? 'live' : 'quick', error: '' });
      } catch (err) {
        const error = (err as Error).message;
        log('warn', 'operating system shutdown: a role could not be moved', { role: m.role, error });
        moves.push({ role: m.role, to: m.to, kind: m.live ? 'live' : 'quick', error });
      }
    }
    log('info', 'operating system shut down: ready for the power to go', { moves });
    return { moves };
  };
  return () => {
    running ??= run();
    return running;
  };
}
