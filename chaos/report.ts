/**
 * The HTML report of a chaos run: one self-contained file (inline CSS and SVG, no scripts, no
 * external resources) with a timeline — faults as bands, each node's membership and quorum,
 * each role's owner, each CSV's coordinator, each VM's answered and lost pings — then the
 * checkers' verdicts, availability per VM, the faults and the cluster events.
 */
import type { CheckReport, Verdict } from './checkers/index.js';
import { endOf, entriesOf, type History, type HistoryEntry } from './history.js';
import { escapeHtml, fmtMs } from './html.js';
import { bandsOf, timeline } from './timeline.js';

export { escapeHtml };

const esc = escapeHtml;

const VERDICT_COLOURS: Record<Verdict, string> = { pass: '#2e7d32', fail: '#c62828', unknown: '#f9a825' };

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

/** The page's style sheet, inline so that the report is one file. */
const STYLE = `body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #212121; }
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
code { font-size: 12px; }`;

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
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${esc(title)}</title>
<style>
${STYLE}
</style>
</head>
<body>
<h1>${esc(experiment)} — seed ${esc(seed)} — ${verdictBadge(result.verdict)}</h1>
<p class="meta">${meta}</p>
<h2>Timeline</h2>
${timeline(history)}
<h2>Invariants</h2>
${verdictsTable(result)}
<h2>Availability</h2>
${availabilityTable(result)}
<h2>Faults</h2>
${faultsTable(history)}
<h2>Cluster events</h2>
${eventsSection(history)}
</body>
</html>
`;
}

/** Each invariant's verdict, with the entries that broke it. */
function verdictsTable(result: CheckReport): string {
  return table(
    ['invariant', 'verdict', 'details'],
    result.invariants.map((r) => [
      esc(r.name),
      verdictBadge(r.verdict),
      esc(r.details) + offendingHtml(r.offending),
    ]),
  );
}

/** Pings, lost pings and downtime per VM. */
function availabilityTable(result: CheckReport): string {
  return table(
    ['VM', 'pings', 'lost pings', 'downtime'],
    Object.entries(result.availability).map(([vm, a]) => [
      esc(vm),
      esc(a.pings),
      esc(a.lostPings),
      esc(fmtMs(a.downtimeMs)),
    ]),
  );
}

/** Every fault with its span and detail. */
function faultsTable(history: History): string {
  return table(
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
}

/** The cluster events in time order, folded when there are many, cut at EVENTS_MAX. */
function eventsSection(history: History): string {
  const events = entriesOf(history, 'event').sort((a, b) => a.t - b.t);
  const eventRows = events
    .slice(0, EVENTS_MAX)
    .map((e) => [esc(fmtMs(e.t)), esc(e.node), esc(e.kind), esc(e.eventId || ''), esc(e.message)]);
  return `<details${events.length <= 200 ? ' open' : ''}><summary>${events.length} events${events.length > EVENTS_MAX ? ` (first ${EVENTS_MAX} shown)` : ''}</summary>
${table(['t', 'node', 'kind', 'id', 'message'], eventRows)}
</details>`;
}
