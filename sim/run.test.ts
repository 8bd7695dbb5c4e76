/**
 * A whole simulated run: the same seed gives a byte-identical history, and the chaos checkers
 * catch the injected bugs (services/process/injected-bugs.ts) handed to the simulated services,
 * while the same schedule without the bug passes.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseHistory } from '../chaos/history.js';
import { parseTopology, resolveTopology } from '../orchestrator/topology/topology.js';
import { parseInjectedBugs } from '../services/process/injected-bugs.js';
import type { DataCenter } from './datacenter.js';
import type { PlannedFault } from './faults.js';
import { runSimulation } from './run.js';

const FILE = new URL('../topologies/seed.yaml', import.meta.url).pathname;
const seed = (timing: string) =>
  resolveTopology(parseTopology(readFileSync(FILE, 'utf8'), FILE), FILE, timing);
const FOUR = new URL('../topologies/four-node.yaml', import.meta.url).pathname;
const fourNode = () => resolveTopology(parseTopology(readFileSync(FOUR, 'utf8'), FOUR), FOUR, 'fast');

const verdict = (r: ReturnType<typeof runSimulation>, name: string) =>
  r.report.invariants.find((i) => i.name === name)?.verdict;

describe('a simulated run', () => {
  it('writes a byte-identical history for the same seed, and another for another seed', () => {
    const topology = seed('fast');
    const a = runSimulation({ seed: 11, topology, durationMs: 90_000 });
    const b = runSimulation({ seed: 11, topology, durationMs: 90_000 });
    const c = runSimulation({ seed: 12, topology, durationMs: 90_000 });
    expect(a.faults.length).toBeGreaterThan(0);
    expect(a.jsonl()).toBe(b.jsonl());
    expect(c.jsonl()).not.toBe(a.jsonl());
    // It is a valid chaos history, as `dcbox chaos` writes them.
    expect(parseHistory(a.jsonl()).length).toBe(a.history.length);
  });

  it('forms the cluster, brings the roles online and keeps every invariant through a power-off', () => {
    const faults: PlannedFault[] = [
      { kind: 'power-off', targets: ['HVR2NODO2'], atMs: 10_000, durationMs: 10_000 },
    ];
    const r = runSimulation({ seed: 1, topology: seed('fast'), durationMs: 45_000, faults });
    const kinds = r.history.filter((e) => e.type === 'event').map((e) => `${e.node} ${e.kind}`);
    expect(kinds).toContain('HVR2NODO1 cluster-formed');
    expect(kinds).toContain('HVR2NODO1 node-removed');
    expect(kinds).toContain('HVR2NODO1 fenced');
    expect(r.report.invariants.map((i) => [i.name, i.verdict])).toEqual([
      ['no-split-brain', 'pass'],
      ['single-csv-coordinator', 'pass'],
      ['fencing-before-takeover', 'pass'],
      ['no-lost-acked-writes', 'pass'],
      ['liveness-after-heal', 'pass'],
      ['survivor-continuity', 'unknown'],
    ]);
  });
});

describe('a run whose clock stops moving', () => {
  it('stops at the step where time stood still, as a failing time-advances, instead of hanging', () => {
    // Something that reschedules itself at once, forever: a livelock.
    const loop = (dc: DataCenter) => dc.world.sched.after(0, 'loop', () => loop(dc));
    const r = runSimulation({
      seed: 1,
      topology: seed('fast'),
      durationMs: 20_000,
      onStart: (dc) => dc.world.sched.at(3000, 'start loop', () => loop(dc)),
    });
    expect(r.violation).toMatchObject({ invariant: 'time-advances', atMs: 3000, event: 'loop' });
    expect(r.report.verdict).toBe('fail');
    expect(r.simulatedMs).toBe(3000);
  });

  it('stops a run that takes more events than its budget', () => {
    const r = runSimulation({ seed: 1, topology: seed('fast'), durationMs: 20_000, maxSteps: 5000 });
    expect(r.violation?.invariant).toBe('time-advances');
    expect(r.violation?.details).toContain('more than 5000 events');
    expect(r.steps).toBe(5001);
  });
});

describe('the checkers on simulated runs with an injected bug', () => {
  const partition: PlannedFault[] = [
    { kind: 'partition', targets: ['HVR2NODO2'], atMs: 10_000, durationMs: 10_000 },
  ];
  const crash: PlannedFault[] = [{ kind: 'storage-crash', targets: [], atMs: 10_000, durationMs: 3_000 }];
  const run = (faults: PlannedFault[], bug?: string) =>
    runSimulation({
      seed: 3,
      topology: seed('fast'),
      durationMs: 40_000,
      faults,
      bugs: parseInjectedBugs(bug),
    });

  it('no-split-brain passes a node partition, and fails it with answer-after-quorum-loss', () => {
    expect(verdict(run(partition), 'no-split-brain')).toBe('pass');
    expect(verdict(run(partition, 'answer-after-quorum-loss'), 'no-split-brain')).toBe('fail');
  });

  it('no-lost-acked-writes passes a controller crash, and fails it with ack-before-durable', () => {
    expect(verdict(run(crash), 'no-lost-acked-writes')).toBe('pass');
    expect(verdict(run(crash, 'ack-before-durable'), 'no-lost-acked-writes')).toBe('fail');
  });

  it('fencing-before-takeover passes a node partition, and fails it with failover-without-fencing', () => {
    expect(verdict(run(partition), 'fencing-before-takeover')).toBe('pass');
    expect(verdict(run(partition, 'failover-without-fencing'), 'fencing-before-takeover')).toBe('fail');
  });

  // Seed 36 (default timing, 10 minutes): a SAS request of VirtualMachine1's write #476 was lost
  // just before its node lost quorum; MPIO sent it again after its 3 s timeout, once the node had
  // rejoined and the restarted VM had written #476 anew from its journal scan, and it overwrote
  // that acknowledged record. A boot now scans only once the last run's writes have ended.
  it('never lets a write of the last run of a VM land over what the restarted VM wrote', () => {
    const r = runSimulation({ seed: 36, topology: seed('default'), durationMs: 600_000 });
    expect(verdict(r, 'no-lost-acked-writes')).toBe('pass');
    expect(r.report.verdict).not.toBe('fail');
  });

  // Seed 84 (default timing, 10 minutes): HVR2NODO2, frozen for 15 s and fenced meanwhile, thawed
  // with a write of VirtualMachine1 on its way; the node registered its keys again as it rejoined,
  // before that write reached the storage, which took it (no-split-brain: the disk written by
  // both nodes). A rejoining node now registers only once its CSV's I/O is answered.
  it('registers a rejoining node again only once the I/O its VMs issued before is answered', () => {
    const r = runSimulation({ seed: 84, topology: seed('default'), durationMs: 600_000 });
    expect(verdict(r, 'no-split-brain')).toBe('pass');
    expect(r.report.verdict).not.toBe('fail');
  });

  // Seed 81 (default timing, 10 minutes): HVR2NODO1, frozen for 15 s, was removed and fenced and
  // VirtualMachine2 failed over to HVR2NODO2; the instant it thawed its VM sent a redirected write
  // to the coordinator, which reached it after HVR2NODO1 had rejoined and wrote it over what
  // HVR2NODO2's VM had written (no-split-brain, no-lost-acked-writes). The coordinator now has a
  // member whose redirected I/O was sent in a view from before it last left reconnect, and the
  // sender asks again only if its volume stayed online since (csv/core.ts admitRedirect).
  it('never performs a redirected write its sender sent before it was removed and rejoined', () => {
    const r = runSimulation({ seed: 81, topology: seed('default'), durationMs: 600_000 });
    expect(verdict(r, 'no-split-brain')).toBe('pass');
    expect(verdict(r, 'no-lost-acked-writes')).toBe('pass');
    expect(r.report.verdict).not.toBe('fail');
  });

  // Seed 97 (fast timing, 10 minutes, operator moves drawn): VirtualMachine1 came back on
  // HVR2NODO2 after its failover threshold's retry and an operator quick-migrated it back to
  // HVR2NODO1 1.1 s later; no-split-brain took the two switches within 2 s for a switch back.
  it('takes a failover followed at once by an operator’s move back for two switches, not two hosts', () => {
    const r = runSimulation({ seed: 97, topology: seed('fast'), durationMs: 600_000 });
    expect(r.history.some((e) => e.type === 'event' && e.kind === 'move-completed')).toBe(true);
    expect(verdict(r, 'no-split-brain')).toBe('pass');
    expect(r.report.verdict).not.toBe('fail');
  });

  // Seed 6 (default timing, 10 minutes, operator moves drawn): VirtualMachine1 was live-migrated
  // to HVR2NODO2 at 27 s, failed over to HVR2NODO1 (Failed there by its threshold, never run) at
  // 72 s, and taken back by HVR2NODO2 at 195 s after it fenced HVR2NODO1. fencing-before-takeover
  // asked for a preempt of HVR2NODO1 before HVR2NODO2's first write after the migration at 31.5 s.
  it('asks a takeover for a fence only since the previous owner last became the owner', () => {
    const r = runSimulation({ seed: 6, topology: seed('default'), durationMs: 600_000 });
    expect(verdict(r, 'fencing-before-takeover')).toBe('pass');
    expect(r.report.verdict).not.toBe('fail');
  });

  // Seed 32 (default timing, 10 minutes, operator moves drawn): the leader marked
  // VirtualMachine1 as moving, but its commit reached only itself (HVR2NODO2 was down), so the
  // owner heard UNAVAILABLE and gave the move up without clearing it: the role stayed Pending to
  // the end and every later move was refused. A begin in doubt is now cleared with the leader.
  // Its VirtualMachine2 (6.9 s): the live migration failed as the leader HVR2NODO1 was killed,
  // so the owner's clearing (endMove) never reached a leader, and the role stayed marked as
  // moving — Pending — until a failover at 128 s. The leader now ends a mark its owner no longer
  // pursues (cluster/core/stale-moves.ts).
  it('clears a move whose begin the leader could not commit, or whose end never reached it', () => {
    const r = runSimulation({ seed: 32, topology: seed('default'), durationMs: 600_000 });
    expect(verdict(r, 'liveness-after-heal')).not.toBe('fail');
    const vm1 = r.moves.filter((m) => m.move.role === 'VirtualMachine1');
    expect(vm1.filter((m) => m.error?.includes('already moving'))).toEqual([]);
    const vm2 = r.history.flatMap((e) =>
      e.type === 'state' && e.t >= 30_000 && e.t <= 60_000 ? [e.roles.VirtualMachine2?.state] : [],
    );
    expect(vm2.length).toBeGreaterThan(0);
    expect(vm2.filter((state) => state !== 'Online')).toEqual([]);
  });

  // Seeds 34, 51 and 83 (fast timing, 10 minutes, operator moves drawn): a quick migration's
  // resume reached the target but its answer was cut (seed 34: a partition 0.8 s into the move),
  // so the VM was held paused on the source, and nothing released it: its role showed Online
  // there while the VM answered nothing (seed 51: survivor-continuity), and the target's writes
  // preceded any fence (seed 34: fencing-before-takeover). The owner now turns a held VM off and
  // boots it cold once the target is known not to run it (cluster/core/held-vms.ts).
  it.each([34, 51, 83])('releases a VM held after a quick migration whose end is unknown (seed %i)', (n) => {
    const r = runSimulation({ seed: n, topology: seed('fast'), durationMs: 600_000 });
    expect(r.moves.some((m) => m.error?.includes('is held paused'))).toBe(true);
    expect(r.report.verdict).not.toBe('fail');
  });

  // Seed 19 (default timing, 10 minutes): VirtualMachine1's restarts ran out on HVR2NODO2 while
  // the leader was frozen, the report to it was lost, and the role stayed Failed there for good.
  it('reports a role whose restarts ran out again until the leader acts on it', () => {
    const r = runSimulation({ seed: 19, topology: seed('default'), durationMs: 600_000 });
    expect(verdict(r, 'liveness-after-heal')).not.toBe('fail');
    expect(r.report.verdict).not.toBe('fail');
  });

  // Seed 11 of four-node.yaml (fast timing, 3 minutes, 1 % loss): the leader's push admitting
  // HVR2NODO4 again was lost on its way to HVR2NODO2, which claimed quorum without HVR2NODO4 for
  // 15 s (no-split-brain). The leader now sends its push again to a member whose heartbeat shows
  // it lost it (cluster/core/replication.ts resendToLagging).
  it('sends the leader’s push again to a member that lost it', () => {
    const r = runSimulation({ seed: 11, topology: fourNode(), durationMs: 180_000 });
    expect(verdict(r, 'no-split-brain')).toBe('pass');
    expect(r.report.verdict).not.toBe('fail');
  });

  // Seed 6 of four-node.yaml (fast timing, 3 minutes; seed 20 the same): a node admitted again heard of its
  // admission 0.6 ms before another member, and a sample fell between; no-split-brain took the
  // joiner's newer list for a stale one. It now gives a member behind on an admission the same
  // window as one behind on a removal (docs/chaos.md §no-split-brain).
  // Seed 23 of four-node.yaml (fast timing, 3 minutes; seed 25 the same): HVR2NODO2, frozen,
  // fenced and rejoined, had a write of VirtualMachine2 under way when its Volume1 went offline;
  // once the volume was back the write failed on both paths and was redirected through the
  // coordinator, which wrote it after HVR2NODO3 had taken the VM over (no-split-brain). An I/O
  // issued before the volume went offline is no longer sent again (csv/core.ts orphaned). Since the
  // journal scan reads only to the journal's end, the same seed also fails fencing-before-takeover
  // without the fence's registration gated on mayFence (reservations.ts fence).
  it('never redirects a write issued before the volume went offline on a node that rejoined', () => {
    const r = runSimulation({ seed: 23, topology: fourNode(), durationMs: 180_000 });
    expect(verdict(r, 'no-split-brain')).toBe('pass');
    expect(r.report.verdict).not.toBe('fail');
  });

  it('judges a member that hears of an admission a moment after the joiner as one cluster', () => {
    for (const s of [6]) {
      const r = runSimulation({ seed: s, topology: fourNode(), durationMs: 180_000 });
      expect(verdict(r, 'no-split-brain'), `seed ${s}`).toBe('pass');
    }
  });
});

describe('seeds of the swarm fixed in the cluster core (issue 18)', () => {
  // Seed 1 (fast timing, 10 minutes, 0.9 % loss): HVR2NODO1, the survivor of a power-off and the
  // witness's holder, had a defence answered 400 ms late (its reply retransmitted); at its next
  // heartbeat tick its last granted defence was older than the fresh window, it counted the
  // witness's vote lost, turned both VMs off and started them again when the next defence came
  // back (survivor-continuity). A holder whose defence is late is in doubt, not without quorum
  // (cluster/core/lease.ts defenceLate).
  it('keeps a survivor’s VMs running through a witness defence answered late', () => {
    const r = runSimulation({ seed: 1, topology: seed('fast'), durationMs: 600_000 });
    expect(verdict(r, 'survivor-continuity')).toBe('pass');
    expect(r.report.verdict).not.toBe('fail');
  });

  // Seed 59 (default timing, 10 minutes): HVR2NODO1, leader and owner of VirtualMachine2, began a
  // quick migration of it and was frozen; it thawed out of the cluster, its move failed and the
  // clearing found no leader to ask, so the owner forgot the move while the mark stayed in the
  // configuration HVR2NODO2 formed the cluster with: VirtualMachine2 Pending to the end of the run
  // (liveness-after-heal) while its VM ran on HVR2NODO1. The leader now ends a mark its owner no
  // longer pursues (cluster/core/stale-moves.ts).
  it('clears a move mark its owner forgot when the clearing found no leader', () => {
    const r = runSimulation({ seed: 59, topology: seed('default'), durationMs: 600_000 });
    expect(verdict(r, 'liveness-after-heal')).not.toBe('fail');
    expect(r.report.verdict).not.toBe('fail');
  });

  // Seed 417 (default timing, 10 minutes): HVR2NODO1, cut off from HVR2NODO2, kept the witness
  // and quorum, removed HVR2NODO2 and restarted VirtualMachine1 once HVR2NODO2's lease, counted
  // from HVR2NODO2's last answer, had ended. HVR2NODO2's own heartbeat, half an interval later,
  // had been answered: its lease held 0.5 s longer, and the VM answered from both nodes
  // (no-split-brain). The wait counts from the last request answered too (fencing.ts
  // victimsLeaseEnd).
  it('waits out a removed node’s lease renewed by the answer to its own last heartbeat', () => {
    const r = runSimulation({ seed: 417, topology: seed('default'), durationMs: 600_000 });
    expect(verdict(r, 'no-split-brain')).toBe('pass');
    expect(r.report.verdict).not.toBe('fail');
  });

  // Seed 41 (fast timing, 10 minutes, 0.8 % loss, rssm3 pulled): VirtualMachine2's write of record
  // #8559 through rssm4 was lost on the way and retransmitted; MPIO timed it out after 1 s, the
  // guest wrote the record again as a new I/O and the controller acknowledged it, and then the first
  // write arrived and overwrote it (no-lost-acked-writes). Every write now carries the attempts
  // its node gave up on, and the controller refuses one that arrives later (block-io.ts `abort`).
  it('refuses a timed-out write that lands after the write that replaced it', () => {
    const r = runSimulation({ seed: 41, topology: seed('fast'), durationMs: 600_000 });
    expect(verdict(r, 'no-lost-acked-writes')).toBe('pass');
    expect(r.report.verdict).not.toBe('fail');
  });

  // Four-node.yaml at its own (default) timing, 10 minutes.
  const fourNodeDefault = () =>
    resolveTopology(parseTopology(readFileSync(FOUR, 'utf8'), FOUR), FOUR, 'default');

  // Seed 21: HVR2NODO2 joined HVR2NODO4's cluster a moment before its first regroup, which judged
  // it by the view it gave while Joining (hearing nobody) and removed it with no fault; the leader
  // kept it out while it waited to take over its role, was powered off, and the next leader took
  // the role over on the old fence (fencing-before-takeover, no-split-brain, survivor-continuity).
  // A member's view from before its admission no longer speaks for its links (regroup.ts).
  it('never removes a node that just joined on the view it gave while Joining', () => {
    const r = runSimulation({ seed: 21, topology: fourNodeDefault(), durationMs: 600_000 });
    expect(r.report.verdict).toBe('pass');
  });

  // Seed 36: HVR2NODO2, cut off, removed the leader HVR2NODO1 and fenced it; HVR2NODO3 and
  // HVR2NODO2 lost quorum, and HVR2NODO4 kept the membership of the four and its fenced leader
  // for good while the others waited for it to admit them (liveness-after-heal: every role
  // Pending from 530 s to the end). A member that left in this membership now counts as gone
  // (membership.ts onView).
  it('regroups without members that all left the cluster', () => {
    const r = runSimulation({ seed: 36, topology: fourNodeDefault(), durationMs: 600_000 });
    expect(verdict(r, 'liveness-after-heal')).toBe('pass');
    expect(r.report.verdict).not.toBe('fail');
  });

  // Seed 32: HVR2NODO1, leader and owner of VirtualMachine1, began a live migration of it to
  // HVR2NODO2; a partition 0.8 s later cost every node quorum and HVR2NODO4 formed the cluster
  // again without the move's mark. The push of the mark still counted its copies 5 s later and
  // answered the begin "committed", the migration went on, its end changed nothing in the new
  // configuration, and the VM ran on neither node for the rest of the run (survivor-continuity). A
  // push commits only while its leader still leads (replication.ts commitError, commit.test.ts).
  // Since the regroup of seed 43 (below) the seed runs another course: its move of
  // VirtualMachine1 now completes onto a node already removed and fenced, and the failover from
  // there is judged fenced by that preempt (fencing-before-takeover: the key never registered
  // again).
  it('never answers a change committed once its leader stopped leading', () => {
    const r = runSimulation({ seed: 32, topology: fourNodeDefault(), durationMs: 600_000 });
    expect(verdict(r, 'survivor-continuity')).toBe('pass');
    expect(verdict(r, 'fencing-before-takeover')).toBe('pass');
    expect(r.report.verdict).not.toBe('fail');
  });

  // Seed 43: HVR2NODO1, the leader, was cut off from the other three. It timed HVR2NODO3 out
  // first and regrouped with [HVR2NODO1, HVR2NODO2, HVR2NODO4], counting two members it had not
  // heard for five seconds, kept quorum and fenced HVR2NODO3, while the others regrouped as
  // [HVR2NODO2, HVR2NODO3, HVR2NODO4]: two memberships of epoch 8 with quorum (no-split-brain). A
  // regroup that removes nodes now counts only the members heard lately (regroup.ts).
  it('never keeps quorum by members it has not heard lately when it removes one', () => {
    const r = runSimulation({ seed: 43, topology: fourNodeDefault(), durationMs: 600_000 });
    expect(verdict(r, 'no-split-brain')).toBe('pass');
    expect(r.report.verdict).not.toBe('fail');
    const fenced = r.history.filter(
      (e) =>
        e.type === 'event' && e.kind === 'fenced' && e.node === 'HVR2NODO1' && e.t > 370_000 && e.t < 386_000,
    );
    expect(fenced).toEqual([]);
  });

  // Seed 26: HVR2NODO3 live-migrated VirtualMachine2 to HVR2NODO1 while the leader HVR2NODO2 was
  // cut off; the move's end never reached it and failed 15 s later. The source's VM manager had
  // forgotten the VM but never told its cluster, which went on counting it Running there, so the
  // leader judged the VM not handed over, ended the move as failed and had HVR2NODO1 turn its copy
  // off: the VM ran nowhere from 476 s on while its role showed Online (survivor-continuity, and
  // liveness-after-heal by the pings). A VM that leaves its manager is reported Absent
  // (vm/registry.ts goneVms), and the leader hands the role over.
  it('hands a role over when the end of its migration failed after the target took the VM', () => {
    const r = runSimulation({ seed: 26, topology: fourNodeDefault(), durationMs: 600_000 });
    expect(verdict(r, 'liveness-after-heal')).toBe('pass');
    expect(r.report.verdict).not.toBe('fail');
    const ended = r.history.filter(
      (e) =>
        e.type === 'event' &&
        (e.kind === 'move-completed' || e.kind === 'move-failed') &&
        e.data.role === 'VirtualMachine2' &&
        e.t > 459_000,
    );
    expect(ended[0]).toMatchObject({ kind: 'move-completed', data: { from: 'HVR2NODO3', to: 'HVR2NODO1' } });
  });
});
