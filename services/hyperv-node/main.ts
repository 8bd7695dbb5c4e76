/**
 * hyperv-node: one blade running Hyper-V Server 2008 R2 — MPIO over the RSSM paths, the
 * Cluster Shared Volumes, the VM manager and the failover-cluster service, served as
 * dcbox.node.v1.HyperVNode and dcbox.cluster.v1.Cluster. Wiring only: the logic is in mpio.ts,
 * os-shutdown.ts (the OS shutdown of a soft power off), csv/, vm/, migration/ and cluster/.
 */

import { join } from 'node:path';
import { systemClock } from '../actor/clock.js';
import type { NodeSettings } from '../process/config.js';
import { injected } from '../process/injected-bugs.js';
import { type ServiceContext, serviceMain } from '../process/service.js';
import type { ClusterState } from './cluster/core/decide.js';
import { startNodeNetFt } from './cluster/netft/netft.js';
import { ClusterService, type ClusterVms } from './cluster/service.js';
import { CsvVolume } from './csv/csv-volume.js';
import type { CsvVolumeOptions } from './csv/options.js';
import { runCheckedIoLoad } from './io-load.js';
import { nodeMetrics } from './metrics.js';
import type { IoResult, StorageOp } from './mpio.js';
import { Multipath } from './multipath.js';
import { nodeService } from './node-service.js';
import { osShutdown } from './os-shutdown.js';
import { CsvSavedState, LocalSavedState } from './saved-state.js';
import { clusterVmState as clusterState } from './vm/model.js';
import { VmHost } from './vm-host.js';

type Ctx = ServiceContext<NodeSettings>;

/** One CsvVolume per shared volume, seeded with the topology's files, stopped with the process. */
async function csvVolumes(
  { cfg, nc, log, onStop }: Ctx,
  disks: Multipath,
  membership: Pick<CsvVolumeOptions, 'admitRedirect' | 'epoch'>,
): Promise<Map<string, CsvVolume>> {
  const s = cfg.settings;
  const sizes = await disks.lunDetails(3000);
  const volumes = new Map<string, CsvVolume>();
  for (const v of s.sharedVolumes) {
    const volume = new CsvVolume({
      cluster: s.cluster,
      node: cfg.host,
      volume: v.volume,
      lun: v.lun,
      path: v.path,
      lunSizeBytes: sizes[v.lun]?.sizeBytes ?? 0,
      device: disks,
      nc,
      timing: cfg.timing,
      log,
      ...membership,
    });
    void volume.seed(
      s.csvFiles
        .filter((f) => f.lun === v.lun)
        .map(({ path, offset, sizeBytes }) => ({ path, offset, sizeBytes })),
    );
    volumes.set(v.volume, volume);
    // A blade that boots while the storage is down still boots: its CSV learns the LUN's size
    // once the storage answers (found by a seeded campaign: the node exited at start).
    if (!sizes[v.lun]) void learnLunSize(disks, v.lun, volume, cfg.timing.ioTimeoutMs);
    onStop(() => volume.stop());
  }
  return volumes;
}

/** Asks the storage for a LUN's size until it answers, then hands it to the volume. */
async function learnLunSize(
  disks: Multipath,
  lun: string,
  volume: CsvVolume,
  retryMs: number,
): Promise<void> {
  for (;;) {
    const size = (await disks.lunDetails(retryMs))[lun]?.sizeBytes;
    if (size) return volume.setLunSize(size);
    await new Promise((r) => setTimeout(r, retryMs).unref());
  }
}

/** The VM host, its disks on the CSVs (direct or redirected I/O) or else on MPIO. */
function vmHost({ cfg, nc, log }: Ctx, disks: Multipath, volumes: Map<string, CsvVolume>): VmHost {
  const blockDevice = {
    io: (lun: string, op: StorageOp): Promise<IoResult> => {
      const volume = [...volumes.values()].find((x) => x.status().lun === lun);
      return volume ? volume.io(lun, op) : disks.io(lun, op);
    },
  };
  // On a CSV the coordinator allocates new VM disks as files (docs/domain.md §Cluster Shared Volumes: it does all metadata).
  const csv = volumes.values().next().value;
  return new VmHost(cfg, nc, blockDevice, log, {
    // Saved state goes beside the VM's disk on its CSV, where any node can restore it.
    savedState: new CsvSavedState(() => [...volumes.values()], new LocalSavedState(join(cfg.dataDir, 'vms'))),
    diskAllocator: csv && {
      allocate: async (path, sizeBytes) => (await csv.createFile(path, sizeBytes)).offset,
      release: (path) => csv.deleteFile(path).then(() => undefined),
    },
  });
}

/** The VM host as the cluster service drives it. */
function clusterVmsOf(vms: VmHost): ClusterVms {
  return {
    defineVm: (spec) => vms.defineVm(spec),
    removeVm: (name) => vms.removeVm(name),
    start: (name) => vms.start(name),
    turnOff: (name) => vms.turnOff(name),
    save: (name) => vms.save(name),
    stateOf: (name) => clusterState(vms.get(name)),
    specOf: (name) => vms.get(name)?.spec ?? null,
    liveMigrate: (name, to) => vms.liveMigrate(name, to),
    quickMigrate: (name, to) => vms.quickMigrate(name, to),
  };
}

/** The cluster service, its metrics fed with heartbeats and migrations, told of every VM change. */
function clusterService(ctx: Ctx, disks: Multipath, vms: VmHost, volumes: Map<string, CsvVolume>) {
  const { cfg, nc, log, metrics } = ctx;
  // The metrics read the cores' state at scrape time; the cluster feeds heartbeats and migrations.
  let clusterCore: () => ClusterState = () => {
    throw new Error('the cluster service is not built yet');
  };
  const m = nodeMetrics(metrics, {
    cluster: () => clusterCore(),
    csv: () => [...volumes.values()].map((v) => v.status()),
    mpio: () => disks.actor.state,
  });
  const cluster = new ClusterService(cfg, nc, log, disks, clusterVmsOf(vms), volumes, {
    heartbeat: (peer, answered) => {
      m.heartbeatsSent.inc({ peer });
      if (!answered) m.heartbeatsMissed.inc({ peer });
    },
    migration: (kind, ok, blackoutMs) => {
      m.migrations.inc({ kind, result: ok ? 'ok' : 'failed' });
      if (ok && blackoutMs !== null) m.blackoutSeconds.observe({ kind }, blackoutMs / 1000);
    },
  });
  clusterCore = () => cluster.actor.state;
  vms.onChange((vm) => cluster.vmChanged(vm.spec.name, clusterState(vm)));
  vms.onGone((name) => cluster.vmChanged(name, 'Absent'));
  vms.onFault((name, reason) => cluster.vmFault(name, reason));
  vms.onStartFailed((name, error) => cluster.vmStartFailed(name, error));
  // A clustered VM answers only while this node's cluster lease holds; others always do.
  // injected bug answer-after-quorum-loss: the gate stays open whatever the lease says.
  if (injected(cfg.bugs, 'answer-after-quorum-loss')) vms.setEchoGate(() => true);
  else vms.setEchoGate((vm) => !cluster.isClustered(vm) || cluster.leaseValid());
  for (const vm of vms.list()) cluster.vmChanged(vm.spec.name, clusterState(vm));
  return cluster;
}

serviceMain<NodeSettings>({
  packages: ['storage', 'node', 'cluster', 'witness'],
  async setup(ctx) {
    const { cfg, log, onStop } = ctx;
    const s = cfg.settings;
    // The coordinator serves redirected I/O to the cluster's members only, and heartbeats are
    // answered only by a started cluster service (the cluster is built after its volumes).
    let cluster: ClusterService | null = null;
    // The heartbeat thread starts first, beside the rest of the node's start (netft/).
    const netft = startNodeNetFt(cfg, log, (view) => cluster?.answerHeartbeat(view) ?? null);
    onStop(() => netft.stop());
    const disks = new Multipath(cfg, log);
    disks.start();
    const volumes = await csvVolumes(ctx, disks, {
      admitRedirect: (node, epoch) => cluster?.admitRedirect(node, epoch) ?? 'refuse',
      epoch: () => cluster?.epoch() ?? 0,
    });
    const vms = vmHost(ctx, disks, volumes);
    cluster = clusterService(ctx, disks, vms, volumes);
    await cluster.start(netft);
    onStop(() => cluster.stop());
    onStop(() => disks.stop());
    onStop(() => vms.stop());
    log('info', 'node ready', {
      key: disks.key,
      mpio: s.mpio.enabled ? s.mpio.policy : 'none',
      vms: Object.keys(vms.actor.state.vms),
      csv: [...volumes.keys()],
    });
    return [
      nodeService(
        cfg,
        disks,
        vms,
        async (spec) =>
          runCheckedIoLoad(
            spec,
            [...volumes.values()],
            (await disks.lunDetails())[spec.lun]?.sizeBytes ?? 0,
            systemClock,
            cfg.seed,
          ),
        osShutdown(cfg.host, cluster, log),
      ),
      cluster.grpcService(),
    ];
  },
});
