/**
 * The steady-state hypothesis, probed: whether every role is online, every VM answers its pings,
 * a node holds quorum and the CSV has the coordinator the experiment expects. The runner probes
 * before the method (the hypothesis must hold) and after it (the cluster must settle back).
 */
import type { Clients } from '../orchestrator/run/clients.js';
import type { ClusterState__Output } from '../services/generated/dcbox/cluster/v1/ClusterState.js';
import type { PingReply__Output } from '../services/generated/dcbox/workstation/v1/PingReply.js';
import { deadline, rpc } from '../services/transport/grpc.js';
import type { ProbeSpec } from './experiment.js';

/** One probe's outcome, as the run report shows it. */
export interface ProbeResult {
  probe: string;
  ok: boolean;
  detail: string;
}

/** The state as a running node with quorum sees it, or null when no node has quorum. */
export async function anyState(c: Clients): Promise<ClusterState__Output | null> {
  for (const n of c.byComponent('hyperv-node')) {
    const s = await rpc<ClusterState__Output>((cb) =>
      c.cluster(n.name).GetState({}, deadline(1000), cb),
    ).catch(() => null);
    if (s?.service_state === 'Running' && s.quorum?.has_quorum) return s;
  }
  return null;
}

/** Runs the steady-state probes once; the VMs are pinged all at once, each in its own stream. */
export async function probes(c: Clients, specs: ProbeSpec[], vms: string[]): Promise<ProbeResult[]> {
  const pinging = specs.some((p) => p.probe === 'vms-answering');
  const [s, replies] = await Promise.all([
    anyState(c),
    pinging ? Promise.all(vms.map((vm) => pingFive(c, vm))) : [],
  ]);
  const out: ProbeResult[] = [];
  for (const p of specs) {
    if (p.probe === 'vms-answering') out.push(...vms.map((vm, i) => pingsProbe(p, vm, replies[i] ?? [])));
    else out.push(stateProbe(p, s));
  }
  return out;
}

/** A probe answered from the cluster state alone: roles-online, quorum or csv-coordinator. */
export function stateProbe(p: ProbeSpec, s: ClusterState__Output | null): ProbeResult {
  switch (p.probe) {
    case 'roles-online': {
      const off = s
        ? s.roles.filter((r) => r.state !== 'Online').map((r) => `${r.name} ${r.state}`)
        : ['no node with quorum'];
      return {
        probe: p.probe,
        ok: off.length === 0,
        detail: off.length ? off.join(', ') : `${s?.roles.length ?? 0} roles online`,
      };
    }
    case 'quorum':
      return {
        probe: p.probe,
        ok: !!s,
        detail: s
          ? `${s.quorum?.votes} of ${s.quorum?.total} votes on ${s.members.join(', ')}`
          : 'no node has quorum',
      };
    default: {
      // csv-coordinator; vms-answering never comes here, it needs pings (see probes).
      const coordinator = s?.csv[0]?.coordinator ?? '';
      return {
        probe: p.probe,
        ok: !!coordinator && (!p.coordinator || coordinator === p.coordinator),
        detail: `coordinator ${coordinator || 'none'}`,
      };
    }
  }
}

const PINGS = 5;

/** Five pings of a VM from the workstation, 100 ms apart; a broken stream keeps what came. */
function pingFive(c: Clients, vm: string): Promise<PingReply__Output[]> {
  return new Promise<PingReply__Output[]>((resolve) => {
    const got: PingReply__Output[] = [];
    const st = c.workstation().Ping({ vm, count: PINGS, interval_ms: 100, timeout_ms: 500 });
    st.on('data', (r: PingReply__Output) => got.push(r));
    st.on('end', () => resolve(got));
    st.on('error', () => resolve(got));
  });
}

/** The vms-answering probe for one VM: pings lost or never answered, against the tolerance. */
export function pingsProbe(p: ProbeSpec, vm: string, replies: PingReply__Output[]): ProbeResult {
  const lost = replies.filter((r) => !r.ok).length + (PINGS - replies.length);
  return { probe: `${p.probe}:${vm}`, ok: lost <= p.tolerance, detail: `${lost} of ${PINGS} pings lost` };
}
