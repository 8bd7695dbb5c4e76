/**
 * A real cluster stack beside dcbox (issue 19): a two-node Pacemaker + corosync cluster on this
 * machine, one `ocf:pacemaker:Dummy` resource, and the active node killed as a power loss would
 * (SIGKILL of every process of the node at once). The failover is measured from outside the
 * killed node: the kill's time, the survivor's corosync line for the lost member (detection) and
 * the Dummy's state file appearing on the survivor (its start).
 *
 * Each node is a network namespace (its own address on a veth between the two) and, inside it, a
 * mount + UTS namespace (`unshare --mount --uts`) with private /run, /dev/shm, /etc/corosync,
 * /var/lib/corosync, /var/lib/pacemaker and logs, so the two corosync and Pacemaker instances
 * never share a socket, a ring buffer or a file. Cluster tools run in a node through
 * `nsenter -m -n -u`. Fencing is off (stonith-enabled=false): nothing here can cut a node's power.
 *
 * Everything made here (namespaces, processes, temp folders; the mounts live and die with the
 * node's mount namespace) is removed at the end, on failure and on SIGINT/SIGTERM, and
 * `removePacemakerCluster` checks that nothing is left.
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { corosyncConf, memberLeftAtMs, PCMK_NODES, PCMK_PREFIX, type PcmkNode } from './pacemaker-config.js';

/** Where a comparison keeps its nodes' folders (one temp folder per run, under the system's /tmp). */
const TMP_PREFIX = '/tmp/dcbox-bench-pcmk-';
/** The Dummy's state file inside a node's private /run: it appears when the resource starts there. */
const DUMMY_STATE = 'run/Dummy-dummy.state';
/** What the comparison needs on this machine (Debian's pacemaker, corosync, crmsh, resource-agents). */
const TOOLS = [
  'corosync',
  'corosync-cfgtool',
  'pacemakerd',
  'cibadmin',
  'crm_mon',
  'crm_resource',
  'unshare',
  'nsenter',
];
const DUMMY_AGENT = '/usr/lib/ocf/resource.d/pacemaker/Dummy';

/** One failover of the Pacemaker cluster, in ms from the kill. */
export interface PcmkFailover {
  tokenMs: number;
  /** Kill → the survivor's corosync formed a membership without the killed node. */
  detectionMs: number;
  /** That membership → the Dummy's start on the survivor. */
  recoveryMs: number;
  /** Kill → the Dummy's start on the survivor. */
  startMs: number;
  /** From starting the processes to a DC elected with both nodes online. */
  formedMs: number;
  /** Whether the survivor was the DC (as dcbox's survivor is the cluster's leader). */
  survivorWasDc: boolean;
}

/** What is missing to run the comparison, or null when everything is installed. */
export function pacemakerMissing(): string | null {
  const missing = TOOLS.filter((t) => !onPath(t));
  if (!existsSync(DUMMY_AGENT)) missing.push(DUMMY_AGENT);
  if (process.getuid?.() !== 0) missing.push('root (namespaces and mounts)');
  return missing.length
    ? `missing: ${missing.join(', ')} (apt-get install pacemaker corosync crmsh resource-agents)`
    : null;
}

/** The installed versions, for the report. */
export function pacemakerVersions(): { pacemakerVersion: string; corosyncVersion: string } {
  const first = (out: string, re: RegExp) => re.exec(out)?.[1] ?? '?';
  return {
    pacemakerVersion: first(sh('pacemakerd', ['--version'], true), /Pacemaker (\S+)/),
    corosyncVersion: first(sh('corosync', ['-v'], true), /version '([^']+)'/),
  };
}

function onPath(tool: string): boolean {
  return (process.env.PATH ?? '/usr/sbin:/usr/bin').split(':').some((d) => d && existsSync(join(d, tool)));
}

/**
 * Builds the cluster with `tokenMs`, kills the node running the Dummy and measures the failover.
 * The cluster is removed whatever happens; a leftover is an error.
 */
export async function pacemakerFailover(tokenMs: number): Promise<PcmkFailover> {
  removePacemakerCluster(); // a run interrupted too hard to clean (SIGKILL) left these
  const dir = mkdtempSync(TMP_PREFIX);
  const onSignal = (sig: NodeJS.Signals) => {
    removePacemakerCluster();
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await measure(dir, tokenMs);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    removePacemakerCluster();
  }
}

async function measure(dir: string, tokenMs: number): Promise<PcmkFailover> {
  makeNetwork();
  const t0 = Date.now();
  const holders = new Map<string, number>();
  for (const n of PCMK_NODES) holders.set(n.name, startNode(n, prepareNode(dir, n, tokenMs)));
  const holder = (n: PcmkNode) => holders.get(n.name) as number;
  const [a] = PCMK_NODES;
  const dc = await waitFormed(holder(a));
  const formedMs = Date.now() - t0;
  // The resource runs on the node that is not the DC, so the survivor is the DC, as dcbox's
  // survivor (HVR2NODO1, the lowest id) leads its cluster.
  const active = PCMK_NODES.find((n) => n.name !== dc) as PcmkNode;
  const survivor = PCMK_NODES.find((n) => n.name !== active.name) as PcmkNode;
  tool(holder(a), 'cibadmin', [
    '--create',
    '--scope',
    'constraints',
    '--xml-text',
    `<rsc_location id="dummy-on-${active.name}" rsc="dummy" node="${active.name}" score="100"/>`,
  ]);
  tool(holder(a), 'crm_resource', [
    '--resource',
    'dummy',
    '--meta',
    '--set-parameter',
    'target-role',
    '--parameter-value',
    'Started',
  ]);
  await waitFor(() => startedAt(holder(active)), 30_000, `the Dummy to start on ${active.name}`, 50);

  const pids = pidsIn(active.netns);
  const killAtMs = Date.now();
  killAll(pids);
  const startedOnSurvivor = await waitFor(
    () => startedAt(holder(survivor)),
    120_000,
    `the Dummy on ${survivor.name}`,
    5,
  );
  const log = readFileSync(join(dir, survivor.name, 'log', 'corosync.log'), 'utf8');
  const leftAt = memberLeftAtMs(log, active.nodeid, killAtMs, new Date(killAtMs).getTimezoneOffset());
  if (leftAt === null)
    throw new Error(
      `no "Members left: ${active.nodeid}" line in ${survivor.name}'s corosync log after the kill`,
    );
  return {
    tokenMs,
    detectionMs: leftAt - killAtMs,
    recoveryMs: startedOnSurvivor - leftAt,
    startMs: startedOnSurvivor - killAtMs,
    formedMs,
    survivorWasDc: survivor.name === dc,
  };
}

/** The veth between the two namespaces, each end with its node's address. */
function makeNetwork(): void {
  const [a, b] = PCMK_NODES;
  for (const n of PCMK_NODES) sh('ip', ['netns', 'add', n.netns]);
  sh('ip', [
    'link',
    'add',
    a.link,
    'netns',
    a.netns,
    'type',
    'veth',
    'peer',
    'name',
    b.link,
    'netns',
    b.netns,
  ]);
  for (const n of PCMK_NODES) {
    sh('ip', ['-n', n.netns, 'addr', 'add', `${n.address}/${PCMK_PREFIX}`, 'dev', n.link]);
    sh('ip', ['-n', n.netns, 'link', 'set', 'lo', 'up']);
    sh('ip', ['-n', n.netns, 'link', 'set', n.link, 'up']);
  }
}

/**
 * A node's private folders: corosync.conf, and a first CIB with fencing off, the DC's dead time
 * cut to 2 s (a first start otherwise waits 20 s for a DC that is not coming) and the Dummy
 * defined but stopped, so no placement happens before the constraint says where it runs.
 */
function prepareNode(dir: string, n: PcmkNode, tokenMs: number): string {
  const d = join(dir, n.name);
  for (const sub of [
    'etc-corosync',
    'var-lib-corosync',
    'log',
    ...['cib', 'pengine', 'blackbox', 'cores'].map((x) => `var-lib-pacemaker/${x}`),
  ])
    mkdirSync(join(d, sub), { recursive: true });
  writeFileSync(
    join(d, 'etc-corosync', 'corosync.conf'),
    corosyncConf(tokenMs, '/var/log/pacemaker/corosync.log'),
  );
  writeFileSync(join(d, 'var-lib-pacemaker', 'cib', 'cib.xml'), firstCib());
  sh('chown', ['-R', 'hacluster:haclient', join(d, 'var-lib-pacemaker'), join(d, 'log')]);
  return d;
}

function firstCib(): string {
  const props = [
    '<cluster_property_set id="cib-bootstrap-options">',
    '<nvpair id="opt-stonith-enabled" name="stonith-enabled" value="false"/>',
    '<nvpair id="opt-dc-deadtime" name="dc-deadtime" value="2s"/>',
    '</cluster_property_set>',
  ].join('');
  const dummy = [
    '<primitive id="dummy" class="ocf" provider="pacemaker" type="Dummy">',
    '<meta_attributes id="dummy-meta"><nvpair id="dummy-meta-target-role" name="target-role" value="Stopped"/></meta_attributes>',
    '<operations><op id="dummy-monitor-10s" name="monitor" interval="10s"/></operations>',
    '</primitive>',
  ].join('');
  // The empty CIB of the installed Pacemaker carries its own feature set and schema.
  return sh('cibadmin', ['--empty'])
    .replace('<crm_config/>', `<crm_config>${props}</crm_config>`)
    .replace('<resources/>', `<resources>${dummy}</resources>`);
}

/**
 * The node's mounts, hostname, corosync and then pacemakerd (which needs corosync up), run by a
 * shell that stays as the holder of the node's namespaces; its pid is what nsenter enters.
 */
const NODE_SCRIPT = `set -e
D=$1
mount -t tmpfs -o mode=0755 tmpfs /run
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount --bind "$D/etc-corosync" /etc/corosync
mount --bind "$D/var-lib-corosync" /var/lib/corosync
mount --bind "$D/var-lib-pacemaker" /var/lib/pacemaker
mount --bind "$D/log" /var/log/pacemaker
hostname "$2"
corosync -f >"$D/log/corosync.out" 2>&1 &
i=0
while ! corosync-cfgtool -s >/dev/null 2>&1; do i=$((i+1)); [ $i -gt 200 ] && exit 3; sleep 0.05; done
PCMK_logfile=/var/log/pacemaker/pacemaker.log pacemakerd >"$D/log/pacemakerd.out" 2>&1 &
wait
`;

function startNode(n: PcmkNode, d: string): number {
  const child = spawn(
    'ip',
    [
      'netns',
      'exec',
      n.netns,
      'unshare',
      '--mount',
      '--uts',
      '--propagation',
      'private',
      'sh',
      '-c',
      NODE_SCRIPT,
      'sh',
      d,
      n.name,
    ],
    { detached: true, stdio: 'ignore' },
  );
  child.unref();
  if (!child.pid) throw new Error(`could not start ${n.name}`);
  return child.pid;
}

/** Runs a cluster tool inside the node whose namespaces `holder` holds. */
function tool(holder: number, cmd: string, args: string[]): string {
  return sh('nsenter', ['-t', String(holder), '-m', '-n', '-u', cmd, ...args]);
}

/** Waits for a DC with both nodes online; the DC's name. */
async function waitFormed(holder: number): Promise<string> {
  return waitFor(
    () => {
      let xml: string;
      try {
        xml = tool(holder, 'crm_mon', ['-1', '--output-as', 'xml']);
      } catch {
        return null;
      }
      const dc = /<current_dc present="true"[^>]* name="([^"]+)"/.exec(xml)?.[1];
      const online = PCMK_NODES.every((n) =>
        new RegExp(`<node name="${n.name}"[^>]* online="true"`).test(xml),
      );
      return dc && online ? dc : null;
    },
    60_000,
    'the Pacemaker cluster to elect a DC with both nodes online',
    100,
  );
}

/** When the Dummy started in the node `holder` holds (its state file's mtime), or null. */
function startedAt(holder: number): number | null {
  try {
    return statSync(`/proc/${holder}/root/${DUMMY_STATE}`).mtimeMs;
  } catch {
    return null;
  }
}

/** SIGKILL to every process of the node (all of them live in its network namespace) at once. */
function killNode(n: PcmkNode): void {
  killAll(pidsIn(n.netns));
}

function killAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

function pidsIn(netns: string): number[] {
  try {
    return sh('ip', ['netns', 'pids', netns]).split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * Removes every namespace, process and temp folder a comparison makes (synchronous, so a signal
 * handler can run it), then checks: anything left is an error that names it.
 */
export function removePacemakerCluster(): void {
  for (const n of PCMK_NODES) killNode(n);
  for (const n of PCMK_NODES) {
    // A killed process leaves its namespace once reaped; the namespace goes with its last one.
    for (let i = 0; i < 50 && pidsIn(n.netns).length > 0; i++) execFileSync('sleep', ['0.02']);
    if (existsSync(`/run/netns/${n.netns}`)) sh('ip', ['netns', 'del', n.netns], true);
  }
  for (const d of readdirSync('/tmp').filter((x) => `/tmp/${x}`.startsWith(TMP_PREFIX)))
    rmSync(`/tmp/${d}`, { recursive: true, force: true });
  const left = pacemakerLeftovers();
  if (left.length) throw new Error(`the Pacemaker comparison left ${left.join(', ')}`);
}

/** What a comparison made that still exists: namespaces, their processes, temp folders. */
export function pacemakerLeftovers(): string[] {
  const left: string[] = [];
  for (const n of PCMK_NODES) {
    if (existsSync(`/run/netns/${n.netns}`)) left.push(`network namespace ${n.netns}`);
    const pids = pidsIn(n.netns);
    if (pids.length) left.push(`processes ${pids.join(' ')} in ${n.netns}`);
  }
  for (const d of readdirSync('/tmp').filter((x) => `/tmp/${x}`.startsWith(TMP_PREFIX)))
    left.push(`/tmp/${d}`);
  return left;
}

/** Polls `f` every `everyMs` until it gives a value. */
async function waitFor<T>(f: () => T | null, timeoutMs: number, what: string, everyMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v !== null) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

function sh(cmd: string, args: string[], quiet = false): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    if (quiet) return '';
    const e = err as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')}: ${(e.stderr ?? e.message).trim()}`);
  }
}
