/**
 * The HTML report of a chaos run: one self-contained file (inline CSS and SVG, no scripts, no
 * external resources) with a timeline — faults as bands, each node's membership and quorum,
 * each role's owner, each CSV's coordinator, each VM's answered and lost pings — then the
 * checkers' verdicts, availability per VM, the faults and the cluster events.
 */
import { isRecoveryKind } from '../orchestrator/faults/kinds.js';
import type { CheckReport, Verdict } from './checkers/index.js';
import { SAMPLE_VALIDITY_MS, samplesByNode } from './checkers/samples.js';
import {
  endOf,
  entriesOf,
  type FaultEntry,
  type History,
  type HistoryEntry,
  type StateEntry,
} from './history.js';

/** Escapes text for HTML content and attribute values alike. */
export function escapeHtml(s: unknown): string {
  return String(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const esc = escapeHtml;

const NODE_COLOURS = [
  '#4e79a7',
  '#f28e2b',
  '#59a14f',
  '#b07aa1',
  '#76b7b2',
  '#edc948',
  '#ff9da7',
  '#9c755f',
  '#e15759',
  '#bab0ac',
];

/** What a node's lane shows, from its own samples. */
type NodeStatus = 'Running with quorum' | 'Running without quorum' | 'Joining' | 'Stopped' | 'Fenced';

const STATUS_COLOURS: Record<NodeStatus, string> = {
  'Running with quorum': '#4caf50',
  'Running without quorum': '#ffb300',
  Joining: '#64b5f6',
  Stopped: '#9e9e9e',
  Fenced: '#6a1b9a',
};

const VERDICT_COLOURS: Record<Verdict, string> = { pass: '#2e7d32', fail: '#c62828', unknown: '#f9a825' };

function statusOf(s: StateEntry): NodeStatus {
  if (s.service === 'Running') return s.hasQuorum ? 'Running with quorum' : 'Running without quorum';
  return s.service;
}

/** A span of time with one value. */
interface Segment {
  start: number;
  end: number;
  value: string;
  title: string;
}

/**
 * Turns a list of timed values into segments: each value holds until the next one or the
 * validity limit (a gap shows as no segment); equal neighbours merge.
 */
function segments(points: { t: number; value: string; title: string }[], validityMs: number): Segment[] {
  const out: Segment[] = [];
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    const next = points[i + 1];
    const end = Math.min(next ? next.t : p.t + validityMs, p.t + validityMs);
    const last = out[out.length - 1];
    if (last && last.value === p.value && last.end >= p.t) last.end = Math.max(last.end, end);
    else out.push({ start: p.t, end, value: p.value, title: p.title });
  }
  return out;
}

/** A fault as a band: from its start to its end, or to the end of the run if never lifted. */
interface Band {
  id: string;
  kind: string;
  targets: string[];
  start: number;
  end: number | null;
  detail: Record<string, unknown>;
}

function bandsOf(faults: FaultEntry[]): Band[] {
  const byId = new Map<string, Band>();
  const bands: Band[] = [];
  for (const f of faults) {
    const open = byId.get(f.id);
    if (f.phase === 'start' && !open) {
      const b: Band = { id: f.id, kind: f.kind, targets: f.targets, start: f.t, end: null, detail: f.detail };
      byId.set(f.id, b);
      bands.push(b);
    } else if (f.phase === 'end' && open && open.end === null) open.end = f.t;
    else if (f.phase === 'end' && !open)
      bands.push({ id: f.id, kind: f.kind, targets: f.targets, start: f.t, end: f.t, detail: f.detail });
  }
  // A recovery recorded as its own fault (heal, thaw…) is an instant, not a band.
  for (const b of bands) if (isRecoveryKind(b.kind) && b.end === null) b.end = b.start;
  return bands;
}

function niceStep(spanMs: number): number {
  const steps = [100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000];
  return steps.find((s) => spanMs / s <= 12) ?? 1_200_000;
}

function fmtMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s` : `${Math.round(ms)} ms`;
}

/** The SVG timeline. */
function timeline(h: History): string {
  const end = Math.max(endOf(h), 1);
  const W = 1200;
  const L = 190;
  const R = 12;
  const plotW = W - L - R;
  const x = (t: number) => L + (Math.max(0, Math.min(t, end)) / end) * plotW;
  const laneH = 18;
  const gap = 6;
  const parts: string[] = [];
  const lanes: { label: string; body: (y: number) => string }[] = [];

  const byNode = samplesByNode(h);
  const eventNodes = entriesOf(h, 'event')
    .map((e) => e.node)
    .filter((n) => n !== 'runner');
  const nodes = [...new Set([...byNode.keys(), ...eventNodes])].sort();
  const colour = new Map(nodes.map((n, i) => [n, NODE_COLOURS[i % NODE_COLOURS.length]!]));
  const colourOf = (n: string) => colour.get(n) ?? '#607d8b';
  const rect = (s: Segment, fill: string, y: number, opacity = 1, height = laneH) =>
    `<rect x="${x(s.start).toFixed(1)}" y="${y}" width="${Math.max(1, x(s.end) - x(s.start)).toFixed(1)}" height="${height}" fill="${fill}" fill-opacity="${opacity}"><title>${esc(s.title)}</title></rect>`;

  // Faults: one row per concurrent fault, and a band over every lane below.
  const bands = bandsOf(entriesOf(h, 'fault'));
  const rows: number[] = [];
  const bandRow = bands.map((b) => {
    const bEnd = b.end ?? end;
    let r = rows.findIndex((free) => free <= b.start);
    if (r < 0) r = rows.push(0) - 1;
    rows[r] = bEnd + 1;
    return r;
  });
  const faultRows = Math.max(rows.length, 1);
  const top = 24;
  const lanesTop = top + faultRows * (laneH + 2) + gap;

  // Nodes: status from their own samples; events as ticks.
  const events = entriesOf(h, 'event');
  for (const node of nodes) {
    const samples = byNode.get(node) ?? [];
    const segs = segments(
      samples.map((s) => ({
        t: s.t,
        value: statusOf(s),
        title: `${node}: ${statusOf(s)}, epoch ${s.epoch}, members ${s.members.join(', ') || '(none)'}, leader ${s.leader || '(none)'}`,
      })),
      SAMPLE_VALIDITY_MS,
    );
    lanes.push({
      label: node,
      body: (y) =>
        segs.map((s) => rect(s, STATUS_COLOURS[s.value as NodeStatus], y)).join('') +
        events
          .filter((e) => e.node === node)
          .map(
            (e) =>
              `<line x1="${x(e.t).toFixed(1)}" x2="${x(e.t).toFixed(1)}" y1="${y}" y2="${y + laneH}" stroke="#212121" stroke-width="1.5"><title>${esc(`${fmtMs(e.t)} ${e.kind}${e.eventId ? ` (${e.eventId})` : ''}: ${e.message}`)}</title></line>`,
          )
          .join(''),
    });
  }

  // Roles and CSVs: the cluster's view, from samples of nodes Running with quorum.
  const quorate = entriesOf(h, 'state')
    .filter((s) => s.service === 'Running' && s.hasQuorum)
    .sort((a, b) => a.t - b.t);
  const roleNames = [...new Set(quorate.flatMap((s) => Object.keys(s.roles)))].sort();
  for (const role of roleNames) {
    const segs = segments(
      quorate.flatMap((s) => {
        const r = s.roles[role];
        return r
          ? [
              {
                t: s.t,
                value: `${r.owner}\u0000${r.state}`,
                title: `${role}: ${r.state} on ${r.owner || '(no owner)'} (as ${s.node} saw it)`,
              },
            ]
          : [];
      }),
      SAMPLE_VALIDITY_MS,
    );
    lanes.push({
      label: `role ${role}`,
      body: (y: number) =>
        segs
          .map((s) => {
            const [owner, state] = s.value.split('\u0000') as [string, string];
            return rect(s, colourOf(owner), y, state === 'Online' ? 1 : 0.35);
          })
          .join(''),
    });
  }
  const volumes = [...new Set(quorate.flatMap((s) => Object.keys(s.csv)))].sort();
  for (const volume of volumes) {
    const segs = segments(
      quorate.flatMap((s) => {
        const owner = s.csv[volume];
        return owner === undefined
          ? []
          : [
              {
                t: s.t,
                value: owner,
                title: `${volume}: coordinated by ${owner || '(nobody)'} (as ${s.node} saw it)`,
              },
            ];
      }),
      SAMPLE_VALIDITY_MS,
    );
    lanes.push({
      label: `CSV ${volume}`,
      body: (y: number) => segs.map((s) => rect(s, s.value ? colourOf(s.value) : '#eeeeee', y)).join(''),
    });
  }

  // VMs: answered pings coloured by the host that answered, lost pings as red ticks.
  const pings = entriesOf(h, 'op').filter((o) => o.f === 'ping' && o.phase !== 'invoke');
  const vms = [...new Set(pings.map((p) => p.vm))].sort();
  for (const vm of vms) {
    const mine = pings.filter((p) => p.vm === vm).sort((a, b) => a.t - b.t);
    const answered = segments(
      mine
        .filter((p) => p.phase === 'ok')
        .map((p) => ({ t: p.t, value: p.host ?? '', title: `${vm} answered from ${p.host ?? '?'}` })),
      1000,
    );
    const lost = mine.filter((p) => p.phase !== 'ok');
    lanes.push({
      label: `VM ${vm}`,
      body: (y: number) =>
        answered.map((s) => rect(s, colourOf(s.value), y + laneH / 3, 0.8, laneH / 3)).join('') +
        lost
          .map(
            (p) =>
              `<line x1="${x(p.t).toFixed(1)}" x2="${x(p.t).toFixed(1)}" y1="${y}" y2="${y + laneH}" stroke="#d50000" stroke-width="1.5"><title>${esc(`${fmtMs(p.t)} ping ${p.phase === 'fail' ? 'failed' : 'unknown (timed out)'}${p.error ? `: ${p.error}` : ''}`)}</title></line>`,
          )
          .join(''),
    });
  }

  const lanesBottom = lanesTop + lanes.length * (laneH + gap);
  const H = lanesBottom + 10;

  // Axis.
  const step = niceStep(end);
  for (let t = 0; t <= end; t += step) {
    parts.push(
      `<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${top - 6}" y2="${lanesBottom}" stroke="#e0e0e0"/>` +
        `<text x="${x(t).toFixed(1)}" y="${top - 10}" class="axis">${esc(fmtMs(t))}</text>`,
    );
  }
  // Fault bands behind the lanes, labels in their rows.
  bands.forEach((b, i) => {
    const x0 = x(b.start);
    const x1 = Math.max(x0 + 2, x(b.end ?? end));
    const y = top + bandRow[i]! * (laneH + 2);
    const label = `${b.kind} ${b.targets.join(', ')}`;
    const title = `${b.id}: ${label} from ${fmtMs(b.start)} to ${b.end === null ? 'the end (never lifted)' : fmtMs(b.end)}`;
    parts.push(
      `<rect x="${x0.toFixed(1)}" y="${lanesTop - gap / 2}" width="${(x1 - x0).toFixed(1)}" height="${lanesBottom - lanesTop}" fill="#ff7043" fill-opacity="0.12"><title>${esc(title)}</title></rect>` +
        `<rect x="${x0.toFixed(1)}" y="${y}" width="${(x1 - x0).toFixed(1)}" height="${laneH}" fill="#ff7043" fill-opacity="0.55" rx="2"><title>${esc(title)}</title></rect>` +
        `<text x="${(x0 + 3).toFixed(1)}" y="${y + laneH - 5}" class="fault">${esc(label)}</text>`,
    );
  });
  parts.push(`<text x="4" y="${top + laneH - 5}" class="lane">faults</text>`);
  lanes.forEach((lane, i) => {
    const y = lanesTop + i * (laneH + gap);
    parts.push(
      `<rect x="${L}" y="${y}" width="${plotW}" height="${laneH}" fill="#fafafa" stroke="#eeeeee"/>` +
        `<text x="4" y="${y + laneH - 5}" class="lane">${esc(lane.label)}</text>` +
        lane.body(y),
    );
  });

  const legend = [
    ...Object.entries(STATUS_COLOURS).map(
      ([k, c]) => `<span><i style="background:${c}"></i>${esc(k)}</span>`,
    ),
    '<span><i style="background:#fafafa;border:1px solid #ccc"></i>no sample</span>',
    '<span><i style="background:#d50000;width:3px"></i>lost ping</span>',
    ...nodes.map((n) => `<span><i style="background:${colourOf(n)}"></i>${esc(n)}</span>`),
  ].join(' ');
  return (
    `<svg width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="timeline">${parts.join('')}</svg>` +
    `<p class="legend">${legend}<br>Node lanes show each node's own view; role and CSV lanes show the view of nodes with quorum (faded: not Online). Hover for details.</p>`
  );
}

function verdictBadge(v: Verdict): string {
  return `<span class="badge" style="background:${VERDICT_COLOURS[v]}">${esc(v.toUpperCase())}</span>`;
}

function table(head: string[], rows: string[][]): string {
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

function offendingHtml(entries: HistoryEntry[] | undefined): string {
  if (!entries || entries.length === 0) return '';
  return `<details><summary>${entries.length} offending entr${entries.length === 1 ? 'y' : 'ies'}</summary><pre>${entries.map((e) => esc(JSON.stringify(e))).join('\n')}</pre></details>`;
}

const EVENTS_MAX = 2000;

/** Options of the report. */
export interface RenderOptions {
  /** A heading for the run in place of the experiment's name (e.g. its title from the YAML). */
  title?: string;
}

/** Renders the report of a run as one self-contained HTML page. */
export function renderHtml(history: History, result: CheckReport, opts: RenderOptions = {}): string {
  const run = entriesOf(history, 'run');
  const start = run.find((r) => r.phase === 'start') ?? run[0];
  const experiment = opts.title ?? start?.experiment ?? '(unknown experiment)';
  const seed = start?.seed ?? '?';
  const title = `${experiment} — seed ${seed} — ${result.verdict.toUpperCase()}`;
  const meta = start
    ? `topology ${esc(start.topology)}, timing ${esc(start.timing)}, started ${esc(new Date(start.at).toISOString())}, ${esc(fmtMs(endOf(history)))} recorded`
    : `${esc(fmtMs(endOf(history)))} recorded`;

  const verdicts = table(
    ['invariant', 'verdict', 'details'],
    result.invariants.map((r) => [
      esc(r.name),
      verdictBadge(r.verdict),
      esc(r.details) + offendingHtml(r.offending),
    ]),
  );
  const avail = table(
    ['VM', 'pings', 'lost pings', 'downtime'],
    Object.entries(result.availability).map(([vm, a]) => [
      esc(vm),
      esc(a.pings),
      esc(a.lostPings),
      esc(fmtMs(a.downtimeMs)),
    ]),
  );
  const faults = table(
    ['id', 'kind', 'targets', 'from', 'to', 'detail'],
    bandsOf(entriesOf(history, 'fault')).map((b) => [
      esc(b.id),
      esc(b.kind),
      esc(b.targets.join(', ')),
      esc(fmtMs(b.start)),
      esc(b.end === null ? 'never lifted' : fmtMs(b.end)),
      `<code>${esc(JSON.stringify(b.detail))}</code>`,
    ]),
  );
  const events = entriesOf(history, 'event').sort((a, b) => a.t - b.t);
  const eventRows = events
    .slice(0, EVENTS_MAX)
    .map((e) => [esc(fmtMs(e.t)), esc(e.node), esc(e.kind), esc(e.eventId || ''), esc(e.message)]);

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${esc(title)}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #212121; }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 24px 0 8px; }
.meta { color: #616161; margin: 0 0 16px; }
.badge { color: #fff; padding: 1px 8px; border-radius: 3px; font-weight: 600; font-size: 12px; }
table { border-collapse: collapse; }
th, td { border: 1px solid #e0e0e0; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f5f5f5; }
td pre { white-space: pre-wrap; word-break: break-all; font-size: 11px; max-width: 900px; }
svg text.axis { font-size: 10px; fill: #757575; text-anchor: middle; }
svg text.lane { font-size: 12px; fill: #212121; }
svg text.fault { font-size: 10px; fill: #3e2723; }
.legend span { margin-right: 12px; white-space: nowrap; }
.legend i { display: inline-block; width: 12px; height: 12px; margin-right: 4px; vertical-align: -2px; }
code { font-size: 12px; }
</style>
</head>
<body>
<h1>${esc(experiment)} — seed ${esc(seed)} — ${verdictBadge(result.verdict)}</h1>
<p class="meta">${meta}</p>
<h2>Timeline</h2>
${timeline(history)}
<h2>Invariants</h2>
${verdicts}
<h2>Availability</h2>
${avail}
<h2>Faults</h2>
${faults}
<h2>Cluster events</h2>
<details${events.length <= 200 ? ' open' : ''}><summary>${events.length} events${events.length > EVENTS_MAX ? ` (first ${EVENTS_MAX} shown)` : ''}</summary>
${table(['t', 'node', 'kind', 'id', 'message'], eventRows)}
</details>
</body>
</html>
`;
}
