/**
 * The operator's moves in a simulated run: at a planned time, a role is moved to another node by
 * live or quick migration, asked of whichever node owns it then (as `dcbox cluster move` asks
 * the owner's cluster service). A move is no fault: it is what an administrator does while
 * faults happen, so migrations run under the same schedules.
 */
import type { DataCenter } from './datacenter.js';

/** One move of a role at a time of the run. */
export interface PlannedMove {
  role: string;
  to: string;
  kind: 'live' | 'quick';
  atMs: number;
}

/** What became of a move, for tests and `dcbox sim replay`. */
export interface MoveOutcome {
  move: PlannedMove;
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
    dc.world.sched.at(m.atMs, `move ${m.role} to ${m.to} (${m.kind})`, () => {
      const owner = dc.nodes.find((n) => {
        const host = dc.net.host(n.name);
        return host.alive && !host.frozen && n.cluster.state.config.roles[m.role]?.owner === n.name;
      });
      if (!owner) {
        outcomes.push({ move: m, ok: false, error: `no running node owns ${m.role}` });
        return;
      }
      owner.move(m.role, m.to, m.kind, (r) =>
        outcomes.push(
          r.ok ? { move: m, ok: true } : { move: m, ok: false, error: `${r.code}: ${r.message}` },
        ),
      );
    });
  return outcomes;
}
