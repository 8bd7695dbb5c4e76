/**
 * The operator's moves in a simulated run: at a planned time, a role is moved to another node by
 * live or quick migration, asked of whichever node owns it then (as `dcbox cluster move` asks
 * the owner's cluster service). A move is no fault: it is what an administrator does while
 * faults happen, so migrations run under the same schedules.
 */
import type { DataCenter } from './datacenter.js';
import type { MoveKind } from './faults.js';
import type { SimRandom } from './random.js';

/** One move of a role at a time of the run. */
export interface PlannedMove {
  role: string;
  /** The target; absent, the first other node its owner counts a member when the move is asked. */
  to?: string;
  kind: 'live' | 'quick';
  atMs: number;
}

/**
 * Draws an operator's moves for a seed whose mix has them on: one every 30–120 s from `fromMs`
 * until `untilMs`, each of a kind of `kinds`, of a role of `roles`, to another node chosen when
 * it is asked (a move to where the role already runs would only be refused). Moves fall where
 * they fall, during faults too, as an administrator's do.
 */
export function drawMoves(
  random: SimRandom,
  roles: string[],
  kinds: MoveKind[],
  opts: { fromMs: number; untilMs: number },
): PlannedMove[] {
  const out: PlannedMove[] = [];
  if (kinds.length === 0 || roles.length === 0) return out;
  for (let at = opts.fromMs + random.int(0, 30_000); at < opts.untilMs; at += random.int(30_000, 120_000)) {
    const kind = random.pick(kinds) === 'live-migrate' ? 'live' : 'quick';
    out.push({ role: random.pick(roles), kind, atMs: at });
  }
  return out;
}

/** The node a move without a target goes to: the first other member in the owner's view, else any other node. */
function targetOf(dc: DataCenter, owner: DataCenter['nodes'][number]): string {
  const others = dc.nodes.map((n) => n.name).filter((n) => n !== owner.name);
  return others.find((n) => owner.cluster.state.members.includes(n)) ?? others[0] ?? owner.name;
}

/** What became of a move, for tests and `dcbox sim replay`. */
export interface MoveOutcome {
  move: PlannedMove;
  /** The node it was asked to go to (its target, or the one chosen when it was asked). */
  to?: string;
  ok: boolean;
  error?: string;
}

/** Puts the moves on the event queue; each outcome is pushed to `outcomes` when it is known. */
export function scheduleMoves(
  dc: DataCenter,
  moves: PlannedMove[],
  outcomes: MoveOutcome[] = [],
): MoveOutcome[] {
  for (const m of moves)
    dc.world.sched.at(m.atMs, `move ${m.role} to ${m.to ?? 'another node'} (${m.kind})`, () => {
      const owner = dc.nodes.find((n) => {
        const host = dc.net.host(n.name);
        return host.alive && !host.frozen && n.cluster.state.config.roles[m.role]?.owner === n.name;
      });
      if (!owner) {
        outcomes.push({ move: m, ok: false, error: `no running node owns ${m.role}` });
        return;
      }
      const to = m.to ?? targetOf(dc, owner);
      owner.move(m.role, to, m.kind, (r) =>
        outcomes.push(
          r.ok ? { move: m, to, ok: true } : { move: m, to, ok: false, error: `${r.code}: ${r.message}` },
        ),
      );
    });
  return outcomes;
}
