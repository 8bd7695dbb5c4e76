/**
 * A whole data center on simulated hosts, built from the same resolved topology `dcbox up`
 * starts (orchestrator/topology: the hosts in dependency order with their settings, and the
 * timing profile): the storage controller, the RSSMs, the witness, the Hyper-V nodes, and the
 * management module and workstation as plain hosts (stage 1 drives power directly; the
 * management module's core is a later stage).
 */
import type { ResolvedTopology } from '../orchestrator/topology/topology.js';
import type {
  MmSettings,
  NodeSettings,
  QuorumSettings,
  RssmSettings,
  StorageSettings,
} from '../services/process/config.js';
import type { InjectedBugs } from '../services/process/injected-bugs.js';
import type { SimWorld } from './actor.js';
import type { HistoryLog } from './history-log.js';
import { SimHost } from './host.js';
import { SimManagementModule } from './mm.js';
import type { Network } from './network.js';
import { CHASSIS_POWER_SERVICE, SimNode } from './node.js';
import { SimRssm } from './rssm.js';
import { SimStorage } from './storage.js';
import { SavedStates } from './vm-host.js';
import { SimWitness } from './witness.js';

/** How long an announcement may be in flight before the network forgets it (a NATS publish has no reply). */
const ANNOUNCE_DEADLINE_MS = 5000;

/** The largest drift of a host's clock, in parts per million. */
export const CLOCK_DRIFT_PPM_MAX = 200;

/** A host's clock rate drawn from the seed: 1 ± up to CLOCK_DRIFT_PPM_MAX ppm, in whole ppm. */
export function drawClockRate(random: SimWorld['random']): number {
  return 1 + Math.round(random.between(-CLOCK_DRIFT_PPM_MAX, CLOCK_DRIFT_PPM_MAX)) * 1e-6;
}

/** The simulated data center: every host, by role. */
export class DataCenter {
  storage!: SimStorage;
  readonly rssms: SimRssm[] = [];
  witness: SimWitness | null = null;
  readonly nodes: SimNode[] = [];
  readonly others: SimHost[] = [];
  /** The management module, when the topology has a chassis. */
  mm: SimManagementModule | null = null;
  /** The VMs' saved states, on the CSV where every node reads them. */
  readonly saved = new SavedStates();

  constructor(
    readonly world: SimWorld,
    readonly net: Network,
    readonly topology: ResolvedTopology,
    history: HistoryLog,
    bugs: InjectedBugs,
  ) {
    const timing = topology.timing;
    for (const plan of topology.hosts) {
      const host = new SimHost(plan.name);
      host.clockRate = drawClockRate(world.random);
      net.add(host);
      switch (plan.component) {
        case 'storage-controller':
          this.storage = new SimStorage(
            world,
            host,
            plan.settings as StorageSettings,
            history,
            { syncMs: 2, readMs: 0.1 },
            bugs,
          );
          break;
        case 'rssm': {
          const r = plan.settings as RssmSettings;
          this.rssms.push(new SimRssm(world, host, net, { ...r, ioTimeoutMs: timing.ioTimeoutMs }));
          break;
        }
        case 'quorum': {
          const q = plan.settings as QuorumSettings;
          this.witness = new SimWitness(world, host, net, {
            kind: q.kind,
            cluster: q.cluster,
            challengeWaitMs: timing.witnessChallengeWaitMs,
            probeIntervalMs: timing.witnessDefendIntervalMs,
            storageHost: q.kind === 'disk' ? q.storageHost : null,
            lun: q.lun,
            ioTimeoutMs: timing.ioTimeoutMs,
          });
          break;
        }
        case 'hyperv-node':
          this.nodes.push(
            new SimNode(
              {
                world,
                host,
                net,
                history,
                timing,
                bugs,
                saved: this.saved,
                lunSizeBytes: (lun) => this.storage.lunSizeBytes(lun),
              },
              plan.settings as NodeSettings,
            ),
          );
          break;
        case 'management-module':
          // The simulation models one chassis and one management module; a topology of several
          // chassis (docs/domain.md §Several chassis) runs only as real processes.
          if (this.mm)
            throw new Error(
              `${topology.name}: the simulation takes one chassis, and this topology has several (management modules ${this.mm.host.name} and ${plan.name})`,
            );
          this.others.push(host);
          this.mm = new SimManagementModule(world, host, plan.settings as MmSettings, timing, {
            isOn: (h) => net.host(h).alive,
            setPower: (h, on) => this.setPower(h, on),
            announce: (h, on) => this.announcePower(plan.name, h, on),
          });
          break;
        default:
          this.others.push(host);
      }
    }
    this.mm?.start();
  }

  /**
   * The backplane: a host's power off (its processes die; a controller loses its page cache) or
   * on (they start again).
   */
  setPower(name: string, on: boolean): void {
    const host = this.net.host(name);
    if (!on) {
      if (name === this.storage.host.name) this.storage.crash();
      else host.kill();
      return;
    }
    if (host.alive) return;
    const node = this.nodes.find((n) => n.name === name);
    const rssm = this.rssms.find((r) => r.host.name === name);
    if (node) node.boot();
    else if (rssm) rssm.boot();
    else if (name === this.storage.host.name) this.storage.boot();
    else if (this.witness?.host.name === name) this.witness.boot();
    else host.start();
  }

  /**
   * The MM's power announcement, published to every node (NATS: fire and forget, so a node that
   * is down or cut off never hears it).
   */
  private announcePower(mm: string, host: string, on: boolean): void {
    for (const n of this.nodes)
      this.net.request(
        mm,
        n.name,
        CHASSIS_POWER_SERVICE,
        { host, on },
        ANNOUNCE_DEADLINE_MS,
        () => undefined,
      );
  }

  /** A node by name. */
  node(name: string): SimNode {
    const n = this.nodes.find((x) => x.name === name);
    if (!n) throw new Error(`no simulated node named ${name}`);
    return n;
  }
}
