/**
 * Finding one VM on two hosts in a sequence of timed observations — the workstation's answered
 * pings or the controller's writes to the VM's disk. A clean migration or failover switches
 * host once; a switch back within a short window, or two answers whose intervals overlap, means
 * both hosts ran the VM at once.
 *
 * A ping's answer is placed at the time its host sent it when the history records that
 * (`answeredAt`), not when the workstation received it: the network retransmits a lost reply
 * 200 ms, 400 ms, … later (TCP, sim/network.ts), so a reply the migration source sent before the
 * switch-over can reach the workstation after the target's first answer (simulation seeds 10, 23
 * and 58, default timing) without the source running the VM after the target did.
 */
import { entriesOf, type History, type HistoryEntry, type OpEntry } from '../history.js';

/** An observation attributed to a host, over [start, end]. */
export interface Hosted {
  host: string;
  start: number;
  end: number;
}

/** A switch A → B → A: the last of A before, the first of B, the first of A again. */
export interface SwitchBack<T extends Hosted> {
  before: T;
  lastBefore: T;
  during: T;
  after: T;
}

/**
 * Switches A → B → A whose return to A comes within `windowMs` of the switch to B, over
 * observations ordered by `end`: the VM ran on A after B took it over.
 */
export function switchBacks<T extends Hosted>(items: readonly T[], windowMs: number): SwitchBack<T>[] {
  const runs: T[][] = [];
  for (const a of items) {
    const last = runs[runs.length - 1];
    if (last && last[0]!.host === a.host) last.push(a);
    else runs.push([a]);
  }
  const out: SwitchBack<T>[] = [];
  for (let i = 1; i + 1 < runs.length; i++) {
    const [before, during, after] = [runs[i - 1]!, runs[i]!, runs[i + 1]!];
    if (before[0]!.host !== after[0]!.host || after[0]!.end - during[0]!.end > windowMs) continue;
    out.push({
      before: before[0]!,
      lastBefore: before[before.length - 1]!,
      during: during[0]!,
      after: after[0]!,
    });
  }
  return out;
}

/**
 * Whether an operator moved `vm` back: a move of it from the switch's second host to its first
 * (`move-started`, then `move-completed` to that host) that started after the second host's
 * first observation and before the return. A failover followed at once by a planned move back
 * (a quick migration takes about a second) switches hosts twice within the window, one after
 * the other, without ever running the VM on both.
 */
export function movedBack(h: History): (vm: string, b: SwitchBack<Hosted>) => boolean {
  const moves = entriesOf(h, 'event').filter((e) => e.kind === 'move-started' || e.kind === 'move-completed');
  return (vm, b) =>
    moves.some(
      (s) =>
        s.kind === 'move-started' &&
        s.data.role === vm &&
        s.data.from === b.during.host &&
        s.data.to === b.after.host &&
        s.t >= b.during.start &&
        s.t <= b.after.end &&
        moves.some(
          (c) =>
            c.kind === 'move-completed' && c.data.role === vm && c.data.to === b.after.host && c.t >= s.t,
        ),
    );
}

/** An ok ping with the time it was invoked. */
export interface Answer extends Hosted {
  ok: OpEntry;
  invoke: OpEntry | undefined;
}

/**
 * Ok pings per VM, ordered by when they were answered, each over [invoke, answer sent]: the
 * answering host's send time where recorded (kept within the op's own interval), else the
 * workstation's receipt, as in older histories.
 */
export function answersByVm(h: History): Map<string, Answer[]> {
  const invokes = new Map<string, OpEntry>();
  const by = new Map<string, Answer[]>();
  for (const op of entriesOf(h, 'op')) {
    if (op.f !== 'ping') continue;
    const key = `${op.process}/${op.id}`;
    if (op.phase === 'invoke') invokes.set(key, op);
    if (op.phase !== 'ok' || !op.host) continue;
    const invoke = invokes.get(key);
    const start = invoke?.t ?? op.t;
    const end = op.answeredAt === undefined ? op.t : Math.min(op.t, Math.max(start, op.answeredAt));
    const answer = { ok: op, invoke, host: op.host, start, end };
    const list = by.get(op.vm) ?? [];
    list.push(answer);
    by.set(op.vm, list);
  }
  for (const list of by.values()) list.sort((a, b) => a.end - b.end);
  return by;
}

/** The history lines of an answer. */
export function answerEntries(a: Answer): HistoryEntry[] {
  return a.invoke ? [a.invoke, a.ok] : [a.ok];
}

/** Two answers from different hosts whose [invoke, ok] intervals overlap. */
export function overlappingAnswers(answers: readonly Answer[]): { a: Answer; b: Answer }[] {
  const out: { a: Answer; b: Answer }[] = [];
  const open: Answer[] = [];
  for (const a of [...answers].sort((x, y) => x.start - y.start)) {
    for (let i = open.length - 1; i >= 0; i--) if (open[i]!.end <= a.start) open.splice(i, 1);
    const clash = open.find((o) => o.host !== a.host);
    if (clash) out.push({ a: clash, b: a });
    open.push(a);
  }
  return out;
}
