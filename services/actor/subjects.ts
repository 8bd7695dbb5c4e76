/**
 * Every NATS subject dcbox uses, versioned and namespaced; docs/protocol.md describes each.
 */
export const subjects = {
  /** Host-to-host echo over the emulated network: request/reply. */
  hostEcho: (host: string) => `dcbox.v1.host.${host}.echo`,
  /** Module heartbeats that the management module listens to. */
  chassisHeartbeat: (host: string) => `dcbox.v1.chassis.hb.${host}`,
  chassisHeartbeatAll: 'dcbox.v1.chassis.hb.*',
  /** A VM's address on the virtual switch: echo requests ("pings") go here. */
  vmEcho: (vm: string) => `dcbox.v1.vm.${vm}.echo`,
} as const;
