/**
 * What the chaos recorder does on a real run, on the simulated data center, out of band (the
 * bridge no partition touches): the setup the chaos runner makes (every VM of the topology made
 * highly available on its node and brought online once the cluster formed), a ping of every VM
 * every 100 ms from the workstation over the simulated network, a sample of every node's own
 * view every 200 ms (none from a node that is off or frozen: a gap), the layout of the disks, and
 * at the end the read-back of every acknowledged record from the storage (chaos/readback.ts's
 * judge).
 */
import { judgeSlot } from '../chaos/readback.js';
import { roleView } from '../services/hyperv-node/cluster/core/views.js';
import { RECORD_SIZE, recordOffset, recordsPerDisk } from '../services/hyperv-node/record.js';
import type { VmSpec } from '../services/process/config.js';
import { hostNow } from './actor.js';
import type { DataCenter } from './datacenter.js';
import type { HistoryLog } from './history-log.js';
import { PING_SERVICE } from './node.js';

const SAMPLE_MS = 200;
const PING_MS = 100;
/** How long a ping waits for its answer. */
const PING_TIMEOUT_MS = 1000;

/** The recorder of a simulated run. */
export class Observer {
  private readonly vms: VmSpec[];

  constructor(
    private readonly dc: DataCenter,
    private readonly history: HistoryLog,
  ) {
    this.vms = dc.nodes.flatMap((n) => n.settings.vms);
  }

  /** Writes the layout and starts the setup, the pings and the samples. */
  start(): void {
    const volumes: Record<string, string> = {};
    for (const v of this.dc.nodes[0]?.settings.sharedVolumes ?? []) volumes[v.volume] = v.lun;
    const disks: Record<string, { lun: string; offset: number; size: number }> = {};
    for (const vm of this.vms)
      disks[vm.name] = { lun: vm.lun, offset: vm.diskOffsetBytes, size: vm.diskSizeBytes };
    this.history.add({ type: 'layout', volumes, disks });
    this.every(SAMPLE_MS, 'sample', () => this.sample());
    this.every(PING_MS, 'ping', () => {
      for (const vm of this.vms) this.ping(vm.name);
    });
    this.setup(0);
  }

  private every(ms: number, label: string, fn: () => void): void {
    const tick = () => {
      fn();
      this.dc.world.sched.after(ms, `observer ${label}`, tick);
    };
    this.dc.world.sched.after(ms, `observer ${label}`, tick);
  }

  /** Makes the next VM highly available and online once the cluster runs, as the chaos runner does. */
  private setup(i: number) {
    const vm = this.vms[i];
    if (!vm) return;
    const retry = (): void => {
      this.dc.world.sched.after(500, `setup ${vm.name}`, () => this.setup(i));
    };
    const node = this.dc.node(vm.node);
    const formed = this.dc.nodes.every(
      (n) => n.cluster.state.service === 'Running' && n.cluster.state.quorum.has,
    );
    if (!formed) return retry();
    node.command(
      { op: 'makeHa', vm, owner: vm.node, vmState: 'Off', preferredOwners: [], allowFailback: false },
      (r) => {
        if (!r.ok && r.code !== 'ALREADY_EXISTS') return retry();
        node.command({ op: 'online', role: vm.name }, (o) => (o.ok ? this.setup(i + 1) : retry()));
      },
    );
  }

  private sample(): void {
    for (const n of this.dc.nodes) {
      const host = this.dc.net.host(n.name);
      if (!host.alive || host.frozen) continue;
      // The node answers from its own clock.
      const now = hostNow(this.dc.world, host);
      const s = n.cluster.state;
      const csv: Record<string, string> = {};
      for (const [volume, c] of Object.entries(s.config.csv)) csv[volume] = c.coordinator ?? '';
      const roles: Record<string, { owner: string; state: string }> = {};
      for (const name of Object.keys(s.config.roles)) {
        const r = roleView(s, name, now);
        roles[name] = { owner: r.owner, state: r.state };
      }
      this.history.add({
        type: 'state',
        node: n.name,
        service: s.service,
        epoch: s.epoch,
        members: s.members,
        hasQuorum: s.quorum.has,
        leader: s.leader ?? '',
        csv,
        roles,
      });
    }
    // The witness's own record each round, as the chaos recorder samples it (chaos/recorder.ts).
    const w = this.dc.witness?.record();
    if (w) this.history.add({ type: 'witness', ...w });
  }

  /** Pings a VM at its address: whichever node runs it and passes the lease gate answers. */
  private ping(vm: string): void {
    const id = this.history.opId();
    const process = `ping:${vm}`;
    this.history.add({ type: 'op', process, f: 'ping', phase: 'invoke', id, vm });
    const ws = this.dc.others.find((h) => h.name === this.dc.topology.spec.workstation.host);
    if (!ws) return;
    let answered = false;
    let waiting = this.dc.nodes.length;
    let absent = 0;
    const done = (phase: 'fail' | 'info', error: string) =>
      this.history.add({ type: 'op', process, f: 'ping', phase, id, vm, error });
    for (const n of this.dc.nodes)
      this.dc.net.request(ws.name, n.name, PING_SERVICE, { vm }, PING_TIMEOUT_MS, (r) => {
        waiting--;
        if (answered) return;
        const body = r.ok ? (r.body as { host?: string; answeredAt?: number }) : null;
        if (body?.host) {
          answered = true;
          const { host, answeredAt } = body;
          this.history.add({ type: 'op', process, f: 'ping', phase: 'ok', id, vm, host, answeredAt });
          return;
        }
        if (body || (!r.ok && r.code === 'UNAVAILABLE')) absent++;
        if (waiting > 0) return;
        if (absent === this.dc.nodes.length) done('fail', `${vm} unreachable: no responders`);
        else done('info', `${vm} did not answer within ${PING_TIMEOUT_MS} ms`);
      });
  }

  /** The read-back of every acknowledged record, as the recorder's final lines. */
  finish(): void {
    const acked = new Map<string, Map<number, string>>();
    for (const e of this.history.entries)
      if (e.type === 'op' && e.f === 'write' && e.phase === 'ok' && e.seq !== undefined) {
        const seqs = acked.get(e.vm) ?? new Map<number, string>();
        seqs.set(e.seq, e.hash ?? '');
        acked.set(e.vm, seqs);
      }
    for (const vm of this.vms) {
      const seqs = [...(acked.get(vm.name) ?? new Map()).keys()].sort((a, b) => a - b);
      const slots = recordsPerDisk(vm.diskSizeBytes);
      const records = seqs.map((seq) =>
        judgeSlot(
          vm.name,
          seq,
          this.dc.storage.disk.read(
            vm.lun,
            recordOffset(vm.diskOffsetBytes, vm.diskSizeBytes, seq),
            RECORD_SIZE,
          ),
          slots,
        ),
      );
      const missing = records.filter((r) => !r.present && r.overwrittenBy === undefined).map((r) => r.seq);
      this.history.add({ type: 'readback', vm: vm.name, checked: seqs.length, missing, bad: [], records });
    }
  }
}
