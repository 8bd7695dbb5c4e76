/**
 * Every NATS subject dcbox uses, versioned and namespaced; docs/protocol.md describes each.
 */
export const subjects = {
  /** Host-to-host echo over the emulated network: request/reply. */
  hostEcho: (host: string) => `dcbox.v1.host.${host}.echo`,
  /** Module heartbeats that the management module listens to. */
  chassisHeartbeat: (host: string) => `dcbox.v1.chassis.hb.${host}`,
  chassisHeartbeatAll: 'dcbox.v1.chassis.hb.*',
  /** A module's power changed through its management module, once done (publish only). */
  chassisPower: (host: string) => `dcbox.v1.chassis.power.${host}`,
  chassisPowerAll: 'dcbox.v1.chassis.power.*',
  /** A VM's address on the virtual switch: echo requests ("pings") go here. */
  vmEcho: (vm: string) => `dcbox.v1.vm.${vm}.echo`,
  /** Cluster heartbeat requests to one node (request/reply, every SameSubnetDelay). */
  clusterHeartbeat: (cluster: string, node: string) => `dcbox.v1.cluster.${cluster}.hb.${node}`,
  /** Requests to one node's cluster service: config pushes, forwarded commands (request/reply). */
  clusterNode: (cluster: string, node: string) => `dcbox.v1.cluster.${cluster}.node.${node}`,
  /** CSV metadata requests to the coordinator of a volume (the SMB2 stand-in, request/reply). */
  csvMetadata: (cluster: string, volume: string) => `dcbox.v1.cluster.${cluster}.csv.${volume}.meta`,
  /** Redirected block I/O to the coordinator of a volume (request/reply). */
  csvRedirected: (cluster: string, volume: string) => `dcbox.v1.cluster.${cluster}.csv.${volume}.io`,
} as const;
