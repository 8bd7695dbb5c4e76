/**
 * The pure half of the Pacemaker comparison (pacemaker.ts runs it): the cluster's addresses and
 * names, corosync.conf, the token that gives a wanted detection, and reading the survivor's
 * corosync log for the moment it dropped the killed member.
 */

/**
 * The two nodes. Their /24 sits in 198.18.0.0/15 but away from every range dcbox uses itself:
 * the netns bridge's 198.18.0.0/24 (and any /24 a topology picks, seed.yaml's default included),
 * and the Docker runtime's 198.19.1–63.0/24 and the engine's 198.19.64.0/18 pool. Namespace and
 * link names do not start with `dcbox-`/`dcbx`, so `dcbox down` (which sweeps those) never
 * touches a comparison that runs beside a data center.
 */
export const PCMK_NODES = [
  { name: 'pcmk-a', nodeid: 1, address: '198.18.250.1', netns: 'dcbpcmk-a', link: 'dcbpk-a' },
  { name: 'pcmk-b', nodeid: 2, address: '198.18.250.2', netns: 'dcbpcmk-b', link: 'dcbpk-b' },
] as const;

/** One of the two Pacemaker nodes. */
export type PcmkNode = (typeof PCMK_NODES)[number];

/** The prefix length of the nodes' link. */
export const PCMK_PREFIX = 24;

/** Corosync's consensus timeout when unset: 1.2 × token (corosync.conf(5)). */
export const CONSENSUS_PER_TOKEN = 1.2;

/**
 * The token (ms) whose detection should match `detectionMs`: corosync declares a member lost
 * after the token times out and then the consensus timeout passes without it, token × (1 + 1.2).
 * Only a first guess: the detection is measured, never assumed.
 */
export function tokenForDetection(detectionMs: number): number {
  return Math.max(200, Math.round(detectionMs / (1 + CONSENSUS_PER_TOKEN) / 10) * 10);
}

/**
 * corosync.conf for the two nodes: knet over the link, no crypto (a private veth), votequorum's
 * two_node (which implies wait_for_all), and a log file with millisecond timestamps.
 */
export function corosyncConf(tokenMs: number, logFile: string): string {
  const nodes = PCMK_NODES.map(
    (n) => `  node {\n    ring0_addr: ${n.address}\n    name: ${n.name}\n    nodeid: ${n.nodeid}\n  }`,
  ).join('\n');
  return [
    'totem {',
    '  version: 2',
    '  cluster_name: dcbox-bench',
    '  transport: knet',
    `  token: ${tokenMs}`,
    '  crypto_cipher: none',
    '  crypto_hash: none',
    '}',
    'nodelist {',
    nodes,
    '}',
    'quorum {',
    '  provider: corosync_votequorum',
    '  two_node: 1',
    '}',
    'logging {',
    '  to_logfile: yes',
    `  logfile: ${logFile}`,
    '  to_stderr: no',
    '  to_syslog: no',
    '  timestamp: hires',
    '}',
    '',
  ].join('\n');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * The time of a corosync log line stamped `Dec 03 15:39:23.767` (local time, no year) as epoch
 * ms, the year taken from `nearMs` (the line is at most a few minutes from it; a line stamped in
 * December read in January belongs to the year before). Null when the line has no such stamp.
 */
export function corosyncLineTimeMs(line: string, nearMs: number, tzOffsetMin: number): number | null {
  const m = /^([A-Z][a-z]{2}) (\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{3}) /.exec(line);
  if (!m) return null;
  const month = MONTHS.indexOf(m[1] as string);
  if (month < 0) return null;
  const year = new Date(nearMs - tzOffsetMin * 60_000).getUTCFullYear();
  const at = (y: number) =>
    Date.UTC(y, month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) +
    tzOffsetMin * 60_000;
  const candidates = [year - 1, year, year + 1].map(at);
  return candidates.reduce((a, b) => (Math.abs(b - nearMs) < Math.abs(a - nearMs) ? b : a));
}

/**
 * When the survivor's corosync formed the membership without `nodeid`, at or after `afterMs`:
 * its `A new membership (…) was formed. Members left: <ids>` line. That is corosync's detection
 * (token timeout, then consensus); Pacemaker learns of the loss from it in the same millisecond.
 */
export function memberLeftAtMs(
  log: string,
  nodeid: number,
  afterMs: number,
  tzOffsetMin: number,
): number | null {
  for (const line of log.split('\n')) {
    const left = /Members left: ([\d ]+)/.exec(line);
    if (!left || !(left[1] as string).trim().split(/\s+/).map(Number).includes(nodeid)) continue;
    const at = corosyncLineTimeMs(line, afterMs, tzOffsetMin);
    if (at !== null && at >= afterMs - 1) return at;
  }
  return null;
}
