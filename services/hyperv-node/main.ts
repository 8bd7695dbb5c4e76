/**
 * hyperv-node: one blade running Hyper-V Server 2008 R2 — MPIO over the RSSM paths, the
 * virtual switch and the VM manager, served as dcbox.node.v1.HyperVNode. Wiring only: the
 * logic is in mpio.ts and vm.ts.
 */
import type { NodeSettings } from '../actor/config.js';
import { runService } from '../actor/service.js';
import { Multipath } from './multipath.js';
import { nodeService } from './node-service.js';
import { VmHost } from './vm-host.js';

await runService<NodeSettings>({
  async setup({ cfg, nc, log, onStop }) {
    const disks = new Multipath(cfg, log);
    const vms = new VmHost(cfg, nc, disks, log);
    onStop(() => disks.stop());
    onStop(() => vms.stop());
    disks.start();
    log('info', 'node ready', {
      key: disks.key,
      mpio: cfg.settings.mpio.enabled ? cfg.settings.mpio.policy : 'none',
      vms: Object.keys(vms.actor.state.vms),
    });
    return [nodeService(cfg, disks, vms)];
  },
});
