/**
 * The calls the daemon makes to the emulated services on behalf of a fault or a dashboard
 * control: power through the management module, a storage fault on the controller, and a
 * cluster role's move. Each opens a client for the one call and closes it, and sends the run's
 * token (and, to the management module, the chassis credentials) with it.
 */
import type { CallAuth } from '../../services/transport/call-auth.js';
import { clientOptions, deadline, insecure, protos, rpc } from '../../services/transport/grpc.js';

/** Power through the management module at `target`, as an operator or a fencing agent does it. */
export async function mmPower(
  target: string,
  auth: CallAuth,
  kind: 'blade' | 'io',
  bay: number,
  action: 'on' | 'off',
): Promise<void> {
  const p = protos();
  const mm = new p.dcbox.chassis.v1.ManagementModule(target, insecure(), clientOptions(auth));
  try {
    await rpc((cb) => mm.Power({ kind, bay, action }, deadline(60_000), cb));
  } finally {
    mm.close();
  }
}

/** A storage fault on one LUN of the storage controller at `target`. */
export async function storageFault(
  target: string,
  auth: CallAuth,
  fault: { lun: string; kind: string; delayMs: number; errorRate: number; durationMs: number },
): Promise<void> {
  const p = protos();
  const st = new p.dcbox.storage.v1.Storage(target, insecure(), clientOptions(auth));
  const { lun, kind, delayMs, errorRate, durationMs } = fault;
  try {
    await rpc((cb) =>
      st.InjectFault(
        { lun, kind, delay_ms: delayMs, error_rate: errorRate, duration_ms: durationMs },
        deadline(10_000),
        cb,
      ),
    );
  } finally {
    st.close();
  }
}

/** Moves a cluster role through the cluster service of the node at `target`. */
export async function moveRole(
  target: string,
  auth: CallAuth,
  req: { role: string; to: string; live: boolean },
): Promise<void> {
  const p = protos();
  const c = new p.dcbox.cluster.v1.Cluster(target, insecure(), clientOptions(auth));
  try {
    await rpc((cb) => c.Move({ role: req.role, to: req.to, live: req.live }, deadline(180_000), cb));
  } finally {
    c.close();
  }
}
