/**
 * workstation: the operator's machine. It pings VMs over the emulated network and streams the
 * replies, as the tutorial's ping window did. Wiring only: the logic is in core.ts.
 *
 * Files: core.ts (one ping run: echoes, lines, end, pure), ping.ts (the streaming Ping handler,
 * echoes over NATS, adapter), this file (process wiring).
 */
import type { WorkstationSettings } from '../process/config.js';
import { serviceMain } from '../process/service.js';
import { protos } from '../transport/grpc.js';
import { pingHandler } from './ping.js';

serviceMain<WorkstationSettings>({
  async setup({ nc, clock }) {
    return [
      {
        definition: protos().dcbox.workstation.v1.Workstation.service,
        name: 'dcbox.workstation.v1.Workstation',
        impl: { Ping: pingHandler(nc, clock) },
      },
    ];
  },
});
