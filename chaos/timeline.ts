/**
 * The report's SVG timeline: faults as bands over every lane, then a lane per node (its own view:
 * membership and quorum, its events as ticks), per role and per CSV (the view of the nodes with
 * quorum), and per VM (answered pings by the host that answered, lost pings as red ticks).
 */
import { isRecoveryKind } from '../orchestrator/faults/kinds.js';
import { SAMPLE_VALIDITY_MS, samplesByNode } from './checkers/samples.js';
import { endOf, entriesOf, type FaultEntry, type History, type StateEntry } from './history.js';
import { escapeHtml as esc, fmtMs } from './html.js';

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
export interface Band {
  id: string;
  kind: string;
  targets: string[];
  start: number;
  end: number | null;
  detail: Record<string, unknown>;
}

/** The faults of a history as bands, in the order they began; a recovery is an instant. */
export function bandsOf(faults: FaultEntry[]): Band[] {
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

/** The timeline's width, its left margin (lane labels), right margin and lane sizes, in pixels. */
const W = 1200;
const L = 190;
const R = 12;
const PLOT_W = W - L - R;
const LANE_H = 18;
const GAP = 6;
const TOP = 24;

/** Maps a time in the run to an x coordinate on the timeline. */
type Scale = (t: number) => number;

/** One row of the timeline below the faults: a label and what it draws at height y. */
interface Lane {
  label: string;
  body: (y: number) => string;
}

/** The colour of each node's lane, its roles' owners and its answered pings. */
type ColourOf = (node: string) => string;

function scaleTo(end: number): Scale {
  return (t: number) => L + (Math.max(0, Math.min(t, end)) / end) * PLOT_W;
}

function rect(x: Scale, s: Segment, fill: string, y: number, opacity = 1, height = LANE_H): string {
  return `<rect x="${x(s.start).toFixed(1)}" y="${y}" width="${Math.max(1, x(s.end) - x(s.start)).toFixed(1)}" height="${height}" fill="${fill}" fill-opacity="${opacity}"><title>${esc(s.title)}</title></rect>`;
}

/** A vertical tick across a lane: a cluster event or a lost ping. */
function tick(x: Scale, t: number, y: number, stroke: string, title: string): string {
  return `<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${y}" y2="${y + LANE_H}" stroke="${stroke}" stroke-width="1.5"><title>${esc(title)}</title></line>`;
}

/** The SVG timeline, with its legend under it. */
export function timeline(h: History): string {
  const end = Math.max(endOf(h), 1);
  const x = scaleTo(end);
  const byNode = samplesByNode(h);
  const eventNodes = entriesOf(h, 'event')
    .map((e) => e.node)
    .filter((n) => n !== 'runner');
  const nodes = [...new Set([...byNode.keys(), ...eventNodes])].sort();
  const colour = new Map(nodes.map((n, i) => [n, NODE_COLOURS[i % NODE_COLOURS.length]!]));
  const colourOf: ColourOf = (n) => colour.get(n) ?? '#607d8b';

  // Faults: one row per concurrent fault, and a band over every lane below.
  const bands = bandsOf(entriesOf(h, 'fault'));
  const { bandRow, rowCount } = bandRows(bands, end);
  const lanesTop = TOP + Math.max(rowCount, 1) * (LANE_H + 2) + GAP;
  // Roles and CSVs: the cluster's view, from samples of nodes Running with quorum.
  const quorate = entriesOf(h, 'state')
    .filter((s) => s.service === 'Running' && s.hasQuorum)
    .sort((a, b) => a.t - b.t);
  const lanes = [
    ...nodeLanes(h, nodes, byNode, x),
    ...roleLanes(quorate, x, colourOf),
    ...csvLanes(quorate, x, colourOf),
    ...vmLanes(h, x, colourOf),
  ];
  const lanesBottom = lanesTop + lanes.length * (LANE_H + GAP);
  const H = lanesBottom + 10;
  const parts = [
    ...axis(end, x, lanesBottom),
    ...bands.map((b, i) => faultBand(b, bandRow[i]!, x, end, lanesTop, lanesBottom)),
    `<text x="4" y="${TOP + LANE_H - 5}" class="lane">faults</text>`,
    ...lanes.map((lane, i) => laneRow(lane, lanesTop + i * (LANE_H + GAP))),
  ];
  return (
    `<svg width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="timeline">${parts.join('')}</svg>` +
    `<p class="legend">${legend(nodes, colourOf)}<br>Node lanes show each node's own view; role and CSV lanes show the view of nodes with quorum (faded: not Online). Hover for details.</p>`
  );
}

/** Puts each fault in the first row free at its start, so that overlapping faults stack. */
function bandRows(bands: Band[], end: number): { bandRow: number[]; rowCount: number } {
  const rows: number[] = [];
  const bandRow = bands.map((b) => {
    const bEnd = b.end ?? end;
    let r = rows.findIndex((free) => free <= b.start);
    if (r < 0) r = rows.push(0) - 1;
    rows[r] = bEnd + 1;
    return r;
  });
  return { bandRow, rowCount: rows.length };
}

/** Nodes: status from their own samples; events as ticks. */
function nodeLanes(h: History, nodes: string[], byNode: Map<string, StateEntry[]>, x: Scale): Lane[] {
  const events = entriesOf(h, 'event');
  return nodes.map((node) => {
    const samples = byNode.get(node) ?? [];
    const segs = segments(
      samples.map((s) => ({
        t: s.t,
        value: statusOf(s),
        title: `${node}: ${statusOf(s)}, epoch ${s.epoch}, members ${s.members.join(', ') || '(none)'}, leader ${s.leader || '(none)'}`,
      })),
      SAMPLE_VALIDITY_MS,
    );
    return {
      label: node,
      body: (y: number) =>
        segs.map((s) => rect(x, s, STATUS_COLOURS[s.value as NodeStatus], y)).join('') +
        events
          .filter((e) => e.node === node)
          .map((e) =>
            tick(
              x,
              e.t,
              y,
              '#212121',
              `${fmtMs(e.t)} ${e.kind}${e.eventId ? ` (${e.eventId})` : ''}: ${e.message}`,
            ),
          )
          .join(''),
    };
  });
}

/** A lane per role: its owner's colour, faded while the role is not Online. */
function roleLanes(quorate: StateEntry[], x: Scale, colourOf: ColourOf): Lane[] {
  const roleNames = [...new Set(quorate.flatMap((s) => Object.keys(s.roles)))].sort();
  return roleNames.map((role) => {
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
    return {
      label: `role ${role}`,
      body: (y: number) =>
        segs
          .map((s) => {
            const [owner, state] = s.value.split('\u0000') as [string, string];
            return rect(x, s, colourOf(owner), y, state === 'Online' ? 1 : 0.35);
          })
          .join(''),
    };
  });
}

/** A lane per CSV: its coordinator's colour, grey while nobody coordinates it. */
function csvLanes(quorate: StateEntry[], x: Scale, colourOf: ColourOf): Lane[] {
  const volumes = [...new Set(quorate.flatMap((s) => Object.keys(s.csv)))].sort();
  return volumes.map((volume) => {
    const segs = segments(
      quorate.flatMap((s) => {
        const coordinator = s.csv[volume];
        return coordinator === undefined
          ? []
          : [
              {
                t: s.t,
                value: coordinator,
                title: `${volume}: coordinated by ${coordinator || '(nobody)'} (as ${s.node} saw it)`,
              },
            ];
      }),
      SAMPLE_VALIDITY_MS,
    );
    return {
      label: `CSV ${volume}`,
      body: (y: number) => segs.map((s) => rect(x, s, s.value ? colourOf(s.value) : '#eeeeee', y)).join(''),
    };
  });
}

/** VMs: answered pings coloured by the host that answered, lost pings as red ticks. */
function vmLanes(h: History, x: Scale, colourOf: ColourOf): Lane[] {
  const pings = entriesOf(h, 'op').filter((o) => o.f === 'ping' && o.phase !== 'invoke');
  const vms = [...new Set(pings.map((p) => p.vm))].sort();
  return vms.map((vm) => {
    const mine = pings.filter((p) => p.vm === vm).sort((a, b) => a.t - b.t);
    const answered = segments(
      mine
        .filter((p) => p.phase === 'ok')
        .map((p) => ({ t: p.t, value: p.host ?? '', title: `${vm} answered from ${p.host ?? '?'}` })),
      1000,
    );
    const lost = mine.filter((p) => p.phase !== 'ok');
    const lostTitle = (p: (typeof lost)[number]) =>
      `${fmtMs(p.t)} ping ${p.phase === 'fail' ? 'failed' : 'unknown (timed out)'}${p.error ? `: ${p.error}` : ''}`;
    return {
      label: `VM ${vm}`,
      body: (y: number) =>
        answered.map((s) => rect(x, s, colourOf(s.value), y + LANE_H / 3, 0.8, LANE_H / 3)).join('') +
        lost.map((p) => tick(x, p.t, y, '#d50000', lostTitle(p))).join(''),
    };
  });
}

/** The time axis: a grid line and a label at every step. */
function axis(end: number, x: Scale, lanesBottom: number): string[] {
  const parts: string[] = [];
  const step = niceStep(end);
  for (let t = 0; t <= end; t += step) {
    parts.push(
      `<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${TOP - 6}" y2="${lanesBottom}" stroke="#e0e0e0"/>` +
        `<text x="${x(t).toFixed(1)}" y="${TOP - 10}" class="axis">${esc(fmtMs(t))}</text>`,
    );
  }
  return parts;
}

/** A fault's band behind the lanes, and its label in its row. */
function faultBand(
  b: Band,
  row: number,
  x: Scale,
  end: number,
  lanesTop: number,
  lanesBottom: number,
): string {
  const x0 = x(b.start);
  const x1 = Math.max(x0 + 2, x(b.end ?? end));
  const y = TOP + row * (LANE_H + 2);
  const label = `${b.kind} ${b.targets.join(', ')}`;
  const title = `${b.id}: ${label} from ${fmtMs(b.start)} to ${b.end === null ? 'the end (never lifted)' : fmtMs(b.end)}`;
  return (
    `<rect x="${x0.toFixed(1)}" y="${lanesTop - GAP / 2}" width="${(x1 - x0).toFixed(1)}" height="${lanesBottom - lanesTop}" fill="#ff7043" fill-opacity="0.12"><title>${esc(title)}</title></rect>` +
    `<rect x="${x0.toFixed(1)}" y="${y}" width="${(x1 - x0).toFixed(1)}" height="${LANE_H}" fill="#ff7043" fill-opacity="0.55" rx="2"><title>${esc(title)}</title></rect>` +
    `<text x="${(x0 + 3).toFixed(1)}" y="${y + LANE_H - 5}" class="fault">${esc(label)}</text>`
  );
}

/** A lane's background, its label and its body. */
function laneRow(lane: Lane, y: number): string {
  return (
    `<rect x="${L}" y="${y}" width="${PLOT_W}" height="${LANE_H}" fill="#fafafa" stroke="#eeeeee"/>` +
    `<text x="4" y="${y + LANE_H - 5}" class="lane">${esc(lane.label)}</text>` +
    lane.body(y)
  );
}

/** The legend under the timeline: node statuses, the marks, and each node's colour. */
function legend(nodes: string[], colourOf: ColourOf): string {
  return [
    ...Object.entries(STATUS_COLOURS).map(
      ([k, c]) => `<span><i style="background:${c}"></i>${esc(k)}</span>`,
    ),
    '<span><i style="background:#fafafa;border:1px solid #ccc"></i>no sample</span>',
    '<span><i style="background:#d50000;width:3px"></i>lost ping</span>',
    ...nodes.map((n) => `<span><i style="background:${colourOf(n)}"></i>${esc(n)}</span>`),
  ].join(' ');
}
