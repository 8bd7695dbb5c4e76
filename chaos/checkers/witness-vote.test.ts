import { describe, expect, it } from 'vitest';
import type { HistoryEntry, StateEntry, WitnessEntry } from '../history.js';
import { cleanRun, event, inOrder, N1, N2, reservation, samples } from './fixtures.js';
import { noSplitBrain } from './no-split-brain.js';
import { samplesByNode } from './samples.js';
import { witnessVoteClaims } from './witness-vote.js';

/** The witness's own record every 200 ms over [from, to): `owner` under `epoch`. */
function witness(from: number, to: number, owner: string, epoch: number): WitnessEntry[] {
  const out: WitnessEntry[] = [];
  for (let t = from; t < to; t += 200) out.push({ t, type: 'witness', owner, epoch, status: 'online' });
  return out;
}

/** The clean power-off run, with the witness naming N1 its owner all along. */
function cleanWithWitness(): HistoryEntry[] {
  return inOrder([...cleanRun(), ...witness(50, 25_000, N1, 1)]);
}

/** N2 alone, claiming quorum from `from` to `to` (it needs the witness's vote to). */
function n2Alone(from: number, to: number): HistoryEntry[] {
  return samples(N2, from, to, { members: [N2], leader: N2 });
}

describe("no-split-brain judges claims of the witness's vote by the witness's own record", () => {
  it('passes a survivor that holds quorum alone as the owner the witness names', () => {
    const r = noSplitBrain(cleanWithWitness());
    expect(r.verdict, r.details).toBe('pass');
    expect(r.details).toMatch(
      /[1-9]\d* claims of the witness's vote each came from the owner the witness named/,
    );
  });

  it('fails a node that holds quorum alone while the witness names another owner', () => {
    // N2 is powered off from 5 s to 15 s in the clean run: this is N2 before it, cut off.
    const h = inOrder([
      ...cleanWithWitness().filter((e) => !(e.type === 'state' && e.node === N2)),
      ...n2Alone(100, 600),
    ]);
    const r = noSplitBrain(h);
    expect(r.verdict).toBe('fail');
    expect(r.details).toContain(
      `${N2} held quorum with [${N2}] at t=300 ms, a minority of the 2 nodes that needs the witness's vote, while the witness named ${N1} its owner (epoch 1)`,
    );
  });

  it("fails a node that fences the witness's owner, from the controller's log alone", () => {
    const r = noSplitBrain(inOrder([...cleanWithWitness(), reservation(3020, 'preempt', N2, N1, 'Quorum')]));
    expect(r.verdict).toBe('fail');
    expect(r.details).toContain(
      `${N2} preempted ${N1}'s key on Quorum (controller's log), acting as the cluster without it at t=3020 ms, a minority of the 2 nodes that needs the witness's vote, while the witness named ${N1} its owner (epoch 1)`,
    );
  });

  it('does not judge a fence made while the witness record changes hands, and passes one after', () => {
    const base = cleanRun().filter((e) => !(e.type === 'reservation' && e.action === 'preempt'));
    const won = [...witness(50, 7000, N2, 1), ...witness(7050, 25_000, N1, 2)];
    // N1 won the witness between the samples at 6850 and 7050: its fence at 6900 is not judged,
    // the one at 7100 is judged and passes.
    for (const t of [6900, 7100]) {
      const r = noSplitBrain(inOrder([...base, ...won, reservation(t, 'preempt', N1, N2)]));
      expect(r.verdict, `${t}: ${r.details}`).toBe('pass');
    }
  });

  it('does not judge a node the administrator forced quorum on', () => {
    const h = cleanWithWitness().filter((e) => !(e.type === 'state' && e.node === N2));
    const forced = event(2900, N2, 'quorum-forced', { members: [N2] });
    expect(noSplitBrain(inOrder([...h, ...n2Alone(3000, 3600)])).verdict).toBe('fail');
    expect(noSplitBrain(inOrder([...h, forced, ...n2Alone(3000, 3600)])).verdict).toBe('pass');
  });

  it('gives a node back from a gap one sample to catch up', () => {
    const h = cleanWithWitness().filter((e) => !(e.type === 'state' && e.node === N2));
    expect(noSplitBrain(inOrder([...h, ...n2Alone(3000, 3200)])).verdict).toBe('pass');
    expect(noSplitBrain(inOrder([...h, ...n2Alone(3000, 3400)])).verdict).toBe('fail');
  });

  it("says the witness's vote was not judged when the history has no sample of the witness", () => {
    expect(noSplitBrain(cleanRun()).details).toContain(
      "The history has no sample of the witness's own record, so claims of its vote were not judged.",
    );
  });
});

describe("claims of the witness's vote with four nodes", () => {
  const FOUR = ['HVR2NODO1', 'HVR2NODO2', 'HVR2NODO3', 'HVR2NODO4'];
  /** `node` every 200 ms over [from, to): Running with quorum over `members` (Stopped when empty). */
  const sampled = (node: string, members: string[], from = 0, to = 2000): StateEntry[] => {
    const out: StateEntry[] = [];
    for (let t = from; t < to; t += 200)
      out.push({
        t,
        type: 'state',
        node,
        service: members.length ? 'Running' : 'Stopped',
        epoch: 5,
        members,
        hasQuorum: members.length > 0,
        leader: members[0] ?? '',
        csv: {},
        roles: {},
      });
    return out;
  };
  const judge = (h: HistoryEntry[]) => {
    const sorted = inOrder([...h, ...witness(50, 2500, FOUR[0]!, 2)]);
    return witnessVoteClaims(sorted, samplesByNode(sorted), 1000);
  };

  it('passes a member of the half that keeps the cluster with the owner', () => {
    const h = [
      ...sampled(FOUR[0]!, [FOUR[0]!, FOUR[2]!]),
      ...sampled(FOUR[2]!, [FOUR[0]!, FOUR[2]!]),
      ...sampled(FOUR[1]!, []),
      ...sampled(FOUR[3]!, []),
    ];
    const r = judge(h);
    expect(r.judged).toBeGreaterThan(0);
    expect(r.problems).toEqual([]);
  });

  it('fails a half without the owner that holds quorum', () => {
    const h = [
      ...sampled(FOUR[0]!, [FOUR[0]!, FOUR[2]!]),
      ...sampled(FOUR[2]!, [FOUR[0]!, FOUR[2]!]),
      ...sampled(FOUR[1]!, [FOUR[1]!, FOUR[3]!]),
      ...sampled(FOUR[3]!, []),
    ];
    expect(judge(h).problems[0]).toContain(
      `${FOUR[1]} held quorum with [${FOUR[1]}, ${FOUR[3]}] at t=200 ms, a minority of the 4 nodes`,
    );
  });
});
