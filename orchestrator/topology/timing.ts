/**
 * Timing profiles. `default` carries the real Windows Server 2008 R2 / SDDDSM defaults from
 * docs/domain.md; `fast` shrinks every interval for tests while keeping the same ratios and rules.
 */
import type { Timing } from '../../services/process/config.js';

export const TIMINGS: Record<string, Timing> = {
  default: {
    name: 'default',
    sameSubnetDelayMs: 1000, // docs/domain.md §Heartbeats: SameSubnetDelay 1000 ms
    sameSubnetThreshold: 5, // docs/domain.md §Heartbeats: SameSubnetThreshold 5
    pathVerificationPeriodMs: 60_000, // docs/domain.md §SDDDSM: PathVerificationPeriod 60 s
    ioTimeoutMs: 3000,
    moduleHeartbeatMs: 1000,
    moduleSilenceMs: 5000,
    witnessDefendIntervalMs: 1000,
    // The 3 s defend / 6 s challenge figures are unverified (docs/domain.md §Witness arbitration); we wait 3 s.
    witnessChallengeWaitMs: 3000,
    // The emulated guest's cold boot. docs/domain.md gives no figure (a real guest OS takes tens of
    // seconds); dcbox's guests are minimal, so that a failover measures the cluster — detection,
    // fencing, restart — rather than a guest's boot (docs/design.md §Quality bars: "the heartbeat threshold plus
    // restart, no more"). Issue 8's failoverRatio is measured with this figure.
    vmBootMs: 1000,
    vmWriteIntervalMs: 100,
    retryPeriodOnFailureMs: 3_600_000, // docs/domain.md §Resources and groups: RetryPeriodOnFailure 1 h
  },
  fast: {
    name: 'fast',
    sameSubnetDelayMs: 250, // the smallest delay 2008 R2 allows (docs/domain.md §Heartbeats)
    sameSubnetThreshold: 4,
    pathVerificationPeriodMs: 1000,
    ioTimeoutMs: 1000,
    moduleHeartbeatMs: 250,
    moduleSilenceMs: 1000,
    witnessDefendIntervalMs: 250,
    witnessChallengeWaitMs: 750,
    vmBootMs: 300,
    vmWriteIntervalMs: 50,
    retryPeriodOnFailureMs: 5000,
  },
};

export const TIMING_NAMES = Object.keys(TIMINGS);
