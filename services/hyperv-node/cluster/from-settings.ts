/**
 * What a node's cluster adapter builds from its service configuration: the cluster core's first
 * state (the node's settings, the timing profile and the configuration saved on its disk) and
 * its gRPC client of the witness, if the quorum model has one.
 */
import type { WitnessClient } from '../../generated/dcbox/witness/v1/Witness.js';
import { endpoint, type NodeSettings, type ServiceConfig } from '../../process/config.js';
import { CLIENT_OPTIONS, insecure, protos } from '../../transport/grpc.js';
import { type ClusterConfig, type ClusterState, initialCluster } from './core/decide.js';

/** The cluster core's state when the node's cluster service starts. */
export function initialFromSettings(
  cfg: ServiceConfig<NodeSettings>,
  saved: ClusterConfig | null,
  now: number,
): ClusterState {
  const s = cfg.settings;
  const t = cfg.timing;
  return initialCluster({
    cluster: s.cluster,
    self: cfg.host,
    nodes: s.clusterNodes.map((n) => ({ name: n.name, id: n.nodeId })),
    model: s.quorumModel,
    delayMs: t.sameSubnetDelayMs,
    threshold: t.sameSubnetThreshold,
    defendMs: t.witnessDefendIntervalMs,
    challengeWaitMs: t.witnessChallengeWaitMs,
    retryPeriodMs: t.retryPeriodOnFailureMs,
    witnessKeepsConfig: !!s.witnessLun,
    csv: s.sharedVolumes,
    saved,
    now,
    bugs: cfg.bugs,
  });
}

/** The witness's gRPC client, or null when the quorum model has no witness host. */
export function witnessClientFor(cfg: ServiceConfig<NodeSettings>): WitnessClient | null {
  if (!cfg.settings.witnessHost) return null;
  const w = endpoint(cfg, cfg.settings.witnessHost);
  return new (protos().dcbox.witness.v1.Witness)(`${w.address}:${w.grpcPort}`, insecure(), CLIENT_OPTIONS);
}
