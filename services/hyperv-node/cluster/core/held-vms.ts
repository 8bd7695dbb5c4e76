/**
 * VMs held paused on this node after a migration whose end is unknown: the resume order went to
 * the target but its answer never came, so the target may be running the VM (migration/
 * source-core.ts). Nothing may resume or start it here while any other node may run it — two
 * copies would write one disk. Once no other node can (each either showed, in a heartbeat
 * answered after the hold began, that it runs no such VM, or was removed and its lease surely
 * ended and this node's fencing of it is over), the owner turns the VM off and boots it cold, so
 * that its journal scan reads what the target wrote: resuming the paused memory would write over
 * it (found by the simulation's swarm, seeds 34, 51 and 83 of the fast timing: a partition cut
 * the resume's answer, and the VM stayed paused for good while its role showed Online).
 */
import type { ClusterState, View, VmState } from './state.js';
import { arbitrationMs, freshWindow, lastRenewalBasis, leaseMs } from './state.js';

/**
 * Notes that a VM here became held, as the VM manager reports it. The record outlives the Held
 * state: a held VM turned off (its node lost quorum a moment, say) must still not start until no
 * other node may run it (mayStart); it is dropped when the VM starts again (started).
 */
export function noteHeld(
  s: ClusterState,
  name: string,
  was: VmState | undefined,
  state: VmState,
  now: number,
) {
  if (state !== 'Held' || was === 'Held') return s;
  return { ...s, held: { ...s.held, [name]: { since: now, clear: [] } } };
}

/** Whether a VM that is off here may start: it was not held, or its hold may be released. */
export function mayStart(s: ClusterState, name: string, now: number): boolean {
  return !s.held?.[name] || holdReleased(s, name, now);
}

/** The VM starts again here: its hold, if any, is over. */
export function started(s: ClusterState, name: string): ClusterState {
  if (!s.held?.[name]) return s;
  const { [name]: _gone, ...rest } = s.held;
  return { ...s, held: rest };
}

/**
 * A peer answered a heartbeat sent at `askedAt`: for each VM held here since before then, the
 * peer is clear of it when its view lists the VMs it runs and leaves that one out.
 */
export function noteRuns(s: ClusterState, peer: string, view: View, askedAt: number): ClusterState {
  if (!s.held || !view.runs) return s;
  let changed = false;
  const held: NonNullable<ClusterState['held']> = {};
  for (const [name, h] of Object.entries(s.held)) {
    const isClear = askedAt >= h.since && !view.runs.includes(name);
    const wasClear = h.clear.includes(peer);
    if (isClear === wasClear || (!isClear && askedAt < h.since)) {
      held[name] = h;
      continue;
    }
    changed = true;
    held[name] = { ...h, clear: isClear ? [...h.clear, peer] : h.clear.filter((p) => p !== peer) };
  }
  return changed ? { ...s, held } : s;
}

/**
 * Whether a peer surely runs nothing any more without having said so: it is out of this node's
 * membership, this node's fencing of it is over (a leader takes over only after it), and its
 * lease surely ended by this node's own reckoning (the last answer from here it may have renewed
 * on, the fresh window, a lease, and an arbitration's extension it may have taken).
 */
function goneFor(s: ClusterState, peer: string, now: number): boolean {
  if (s.members.includes(peer) || s.fencing?.victims.includes(peer)) return false;
  const basis = lastRenewalBasis(s, peer, Number.NEGATIVE_INFINITY);
  return basis + freshWindow(s) + leaseMs(s) + arbitrationMs(s) <= now;
}

/** Whether the VM held here may be released: no other node may be running it. */
export function holdReleased(s: ClusterState, name: string, now: number): boolean {
  const held = s.held?.[name];
  if (!held) return false;
  return s.nodes.every((n) => n.name === s.self || held.clear.includes(n.name) || goneFor(s, n.name, now));
}

/** The clustered VMs this node has running, starting, saving or held, for its view. */
export function runningVms(s: ClusterState): string[] {
  const out: string[] = [];
  for (const [name, state] of Object.entries(s.vms))
    if (s.config.roles[name] && state !== 'Off' && state !== 'Saved' && state !== 'Absent') out.push(name);
  return out;
}
