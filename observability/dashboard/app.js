// The dcbox dashboard page: loads /api/state once, then follows /api/stream (Server-Sent Events:
// `tick` with the newest view and the new chart points, `event` with each new event of the
// stream) and redraws without reloading. Plain browser JavaScript, no build step; uPlot is the
// global loaded before this module.

/* global uPlot */

const $ = (id) => document.getElementById(id);
const esc = (s) =>
  String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );

const token = new URLSearchParams(location.search).get('token');

/** Everything the page knows: the newest view, the series, the events and the bands. */
const state = {
  view: null,
  series: { t: [], rtt: {}, lost: {}, iops: [], latencyMs: [] },
  events: [],
  lastSeq: 0,
  /** Faults and power-offs drawn on the charts: {id, label, from, to (null while open), kind}. */
  bands: new Map(),
  charts: null,
  chartVms: '',
};

const MAX_EVENTS = 5000;
const MAX_POINTS = 1200;

// ---- events and bands ----

function addEvent(p) {
  if (p.seq <= state.lastSeq) return false;
  state.lastSeq = p.seq;
  state.events.push(p);
  if (state.events.length > MAX_EVENTS) state.events.splice(0, state.events.length - MAX_EVENTS);
  band(p.event);
  return true;
}

/** Faults open a band that their lift closes; a power-off opens one its power-on closes. */
function band(e) {
  const t = e.timeMs / 1000;
  if (e.kind === 'fault-injected')
    state.bands.set(e.data.id, {
      id: e.data.id,
      kind: 'fault',
      label: `${e.data.fault} ${e.data.targets.join(' ')}`,
      from: t,
      to: null,
    });
  else if (e.kind === 'fault-lifted') {
    const b = state.bands.get(e.data.id);
    if (b) b.to = t;
  } else if (e.kind === 'power') {
    const id = `power:${e.data.host}`;
    const b = state.bands.get(id);
    if (!e.data.on && !(b && b.to === null))
      state.bands.set(id, { id, kind: 'power', label: `${e.data.host} off`, from: t, to: null });
    else if (e.data.on && b && b.to === null) {
      b.to = t;
      // Keep closed power bands under their own key so a later power-off starts a new one.
      state.bands.delete(id);
      state.bands.set(`${id}@${b.from}`, b);
    }
  }
}

// ---- charts ----

const COLORS = ['#4ea1ff', '#f28e2b', '#59a14f', '#e15759', '#b07aa1', '#76b7b2', '#edc948', '#ff9da7'];

function bandsPlugin() {
  return {
    hooks: {
      drawClear: [
        (u) => {
          const ctx = u.ctx;
          const { left, top, width, height } = u.bbox;
          const xMax = u.scales.x.max;
          ctx.save();
          for (const b of state.bands.values()) {
            const x0 = Math.max(left, u.valToPos(b.from, 'x', true));
            const x1 = Math.min(left + width, u.valToPos(b.to ?? xMax, 'x', true));
            if (x1 <= x0) continue;
            ctx.fillStyle = b.kind === 'power' ? 'rgba(229, 83, 75, 0.18)' : 'rgba(230, 179, 60, 0.18)';
            ctx.fillRect(x0, top, x1 - x0, height);
            ctx.fillStyle = b.kind === 'power' ? 'rgba(229, 83, 75, 0.9)' : 'rgba(230, 179, 60, 0.9)';
            ctx.font = `${11 * devicePixelRatio}px system-ui`;
            ctx.fillText(b.label, x0 + 4, top + 12 * devicePixelRatio);
          }
          ctx.restore();
        },
      ],
    },
  };
}

function chart(el, label, names, unit) {
  const width = Math.max(300, el.clientWidth || el.parentElement.clientWidth || 500);
  const opts = {
    width,
    height: 180,
    plugins: [bandsPlugin()],
    scales: { x: { time: true } },
    axes: [
      { stroke: '#8a94a3', grid: { stroke: '#2f3640' } },
      { stroke: '#8a94a3', grid: { stroke: '#2f3640' }, label: unit },
    ],
    series: [
      {},
      ...names.map((n, i) => ({ label: n, stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: false })),
    ],
    legend: { show: true },
  };
  el.innerHTML = '';
  el.dataset.label = label;
  return new uPlot(opts, [[], ...names.map(() => [])], el);
}

function vmNames() {
  return Object.keys(state.series.rtt).sort();
}

function ensureCharts() {
  const vms = vmNames();
  const key = vms.join(',');
  if (state.charts && state.chartVms === key) return;
  state.chartVms = key;
  const names = vms.length ? vms : ['(no VM yet)'];
  state.charts = {
    rtt: chart($('chart-rtt'), 'rtt', names, 'ms'),
    lost: chart($('chart-lost'), 'lost', names, 'pings'),
    iops: chart($('chart-iops'), 'iops', ['IOPS'], 'IOPS'),
    latency: chart($('chart-latency'), 'latency', ['latency'], 'ms'),
  };
}

function drawCharts() {
  ensureCharts();
  const s = state.series;
  const vms = vmNames();
  const cols = (m) => (vms.length ? vms.map((v) => m[v]) : [s.t.map(() => null)]);
  state.charts.rtt.setData([s.t, ...cols(s.rtt)]);
  state.charts.lost.setData([s.t, ...cols(s.lost)]);
  state.charts.iops.setData([s.t, s.iops]);
  state.charts.latency.setData([s.t, s.latencyMs]);
}

/** Appends the new points of a tick; a VM seen for the first time gets nulls before it. */
function appendPoints(p) {
  const s = state.series;
  const n = s.t.length;
  for (const vm of Object.keys(p.rtt)) {
    if (!s.rtt[vm]) {
      s.rtt[vm] = new Array(n).fill(null);
      s.lost[vm] = new Array(n).fill(null);
    }
  }
  for (let i = 0; i < p.t.length; i++) {
    if (n > 0 && p.t[i] <= s.t[s.t.length - 1]) continue;
    s.t.push(p.t[i]);
    for (const vm of Object.keys(s.rtt)) {
      s.rtt[vm].push(p.rtt[vm]?.[i] ?? null);
      s.lost[vm].push(p.lost[vm]?.[i] ?? null);
    }
    s.iops.push(p.iops[i] ?? null);
    s.latencyMs.push(p.latencyMs[i] ?? null);
  }
  const cut = s.t.length - MAX_POINTS;
  if (cut > 0)
    for (const col of [s.t, s.iops, s.latencyMs, ...Object.values(s.rtt), ...Object.values(s.lost)])
      col.splice(0, cut);
}

// ---- panels ----

function renderRun(v) {
  const r = v.run;
  $('run').textContent = `${r.topology} · ${r.runtime} runtime · ${r.timing} timing · run ${r.runId}`;
  $('mode').textContent = r.allowControl ? 'controls on' : 'read-only';
  $('mode').dataset.control = String(r.allowControl);
  $('controls-panel').hidden = !r.allowControl;
}

function bayHtml(b, kindLabel) {
  const present = b.present;
  const status = !present
    ? 'empty'
    : b.power === 'Off'
      ? 'off'
      : b.health === 'no communication'
        ? 'no communication'
        : b.health;
  return `<div class="bay" data-testid="bay-${esc(b.kind)}-${b.number}" data-power="${esc(b.power)}" data-health="${esc(b.health)}" data-present="${present}">
    <span class="num">${esc(kindLabel)} ${b.number}</span><span class="led"></span>
    <span class="host">${esc(b.host || b.name || '')}</span><span class="status">${esc(status)}</span></div>`;
}

/** One chassis's front: its blade bays side by side, its modules below. */
function chassisHtml(mm, ch, several) {
  const title = several
    ? `<h3>${ch ? `${esc(ch.name)} (${esc(ch.model)})` : 'not answering'} <small>${esc(mm)}</small></h3>`
    : '';
  if (!ch) return `<div class="one-chassis" data-testid="chassis-${esc(mm)}">${title}</div>`;
  const modules = [
    ...ch.io_modules.map((b) => bayHtml(b, 'I/O')),
    ...ch.storage_modules.map((b) => bayHtml({ ...b, host: b.present ? `${b.drives} drives` : '' }, 'DSM')),
  ];
  return `<div class="one-chassis" data-testid="chassis-${esc(mm)}">${title}
    <div class="blades">${ch.blades.map((b) => bayHtml(b, 'blade')).join('')}</div>
    <div class="modules">${modules.join('')}</div></div>`;
}

/** Every chassis of the run (a topology may list several sharing the storage). */
function renderChassis(all) {
  const several = all.length > 1;
  const first = all[0]?.chassis;
  $('chassis-name').textContent = several
    ? `${all.length} chassis sharing the storage`
    : first
      ? `${first.name} (${first.model})`
      : 'management module not answering';
  const html = all.map((c) => chassisHtml(c.mm, c.chassis, several)).join('');
  if ($('chassis').dataset.html !== html) {
    $('chassis').innerHTML = html;
    $('chassis').dataset.html = html;
  }
}

function renderCluster(c) {
  if (!c) {
    $('cluster-from').textContent = 'no node answers';
    $('quorum').innerHTML = '';
    $('nodes').innerHTML = '';
    $('csv').innerHTML = '';
    return;
  }
  $('cluster-from').textContent = `as ${c.from} sees it · membership epoch ${c.epoch}`;
  const q = c.quorum;
  $('quorum').innerHTML = q
    ? `Quorum (${esc(q.model)}): <b class="${q.hasQuorum ? 'yes' : 'no'}" data-testid="has-quorum">${q.hasQuorum ? 'yes' : 'no'}</b>,
       votes <span data-testid="votes">${q.votes}</span> / needed ${q.needed} of ${q.total}
       · witness ${esc(q.witnessStatus || '—')}${q.witnessOwner ? `, held by ${esc(q.witnessOwner)} (epoch ${q.witnessEpoch})` : ''}${q.arbitrating ? ' · arbitrating' : ''}`
    : '';
  $('nodes').innerHTML = c.nodes
    .map((n) => {
      const roles = c.roles.filter((r) => r.owner === n.name);
      const modes = c.csv.map((v) => `${esc(v.volume)}: ${esc(v.modes[n.name] ?? '—')}`).join(', ');
      return `<div class="node" data-testid="node-${esc(n.name)}" data-membership="${esc(n.membership)}" data-service="${esc(n.service)}">
        <div class="name">${esc(n.name)}${n.leader ? ' ★' : ''}</div>
        <div>${esc(n.membership)} · service ${esc(n.service)}${n.missed ? ` · ${n.missed} missed` : ''}</div>
        <div>CSV ${modes || '—'}</div>
        <ul>${roles.map((r) => `<li data-testid="role-${esc(r.name)}" data-owner="${esc(r.owner)}" data-state="${esc(r.state)}">${esc(r.name)} <span class="state-${esc(r.state)}">${esc(r.state)}</span></li>`).join('') || '<li>no roles</li>'}</ul>
      </div>`;
    })
    .join('');
  $('csv').innerHTML = c.csv.length
    ? `<table><tr><th>CSV</th><th>coordinator</th><th>I/O mode per node</th></tr>${c.csv
        .map(
          (v) =>
            `<tr><td>${esc(v.volume)}</td><td data-testid="csv-coordinator-${esc(v.volume)}">${esc(v.coordinator || '—')}</td><td>${Object.entries(
              v.modes,
            )
              .map(([n, m]) => `${esc(n)} ${esc(m)}`)
              .join(', ')}</td></tr>`,
        )
        .join('')}</table>`
    : 'no Cluster Shared Volume';
}

function renderVms(v) {
  const more = v.vmCount > v.vms.length ? ` · charting ${v.vms.length} of ${v.vmCount} VMs` : '';
  $('vms').innerHTML =
    v.vms
      .map(
        (x) =>
          `${esc(x.name)}: ${x.ok === null ? 'no reply yet' : x.ok ? `answers from ${esc(x.answeredBy)}` : 'not answering'}`,
      )
      .join(' · ') + esc(more);
}

/** Fills the controls' choices from the view, keeping what a person selected. */
function renderControls(v) {
  if (!v.run.allowControl) return;
  const fill = (sel, items) => {
    const keep = sel.value;
    const html = items.map(([value, text]) => `<option value="${esc(value)}">${esc(text)}</option>`).join('');
    if (sel.dataset.html !== html) {
      sel.innerHTML = html;
      sel.dataset.html = html;
      if (items.some(([value]) => value === keep)) sel.value = keep;
    }
  };
  // A bay is named by its chassis's management module, its kind and its number.
  const bays = (mm, ch) => [
    ...ch.blades
      .filter((b) => b.present)
      .map((b) => [`${mm}:blade:${b.number}`, `${b.host} (blade ${b.number}, ${mm})`]),
    ...ch.io_modules
      .filter((b) => b.present)
      .map((b) => [`${mm}:io:${b.number}`, `${b.host} (I/O ${b.number}, ${mm})`]),
  ];
  const answering = v.allChassis.filter((c) => c.chassis);
  if (answering.length)
    fill(
      $('power-bay'),
      answering.flatMap((c) => bays(c.mm, c.chassis)),
    );
  const c = v.cluster;
  if (c) {
    fill(
      $('move-role'),
      c.roles.map((r) => [r.name, `${r.name} (${r.owner})`]),
    );
    fill(
      $('move-to'),
      c.nodes.map((n) => [n.name, n.name]),
    );
  }
  fill(
    $('fault-host'),
    v.hosts.map((h) => [h.name, `${h.name} (${h.component})`]),
  );
}

function renderEvents() {
  const text = $('event-filter').value.trim().toLowerCase();
  const kind = $('event-kind').value;
  const source = $('event-source').value;
  const rows = [];
  for (let i = state.events.length - 1; i >= 0 && rows.length < 500; i--) {
    const e = state.events[i].event;
    const src = e.source ?? 'node';
    if (kind && e.kind !== kind) continue;
    if (source && src !== source) continue;
    if (text && !`${e.node} ${e.kind} ${e.message}`.toLowerCase().includes(text)) continue;
    rows.push(
      `<tr data-kind="${esc(e.kind)}" data-source="${esc(src)}"><td>${esc(new Date(e.timeMs).toLocaleTimeString())}</td><td>${esc(e.node)}</td><td>${e.eventId || ''}</td><td>${esc(e.kind)}</td><td>${esc(e.message)}</td></tr>`,
    );
  }
  $('events').tBodies[0].innerHTML = rows.join('');
  $('event-count').textContent = `${state.events.length} events, newest first`;
  const kinds = [...new Set(state.events.map((p) => p.event.kind))].sort();
  const sel = $('event-kind');
  const have = [...sel.options].map((o) => o.value).slice(1);
  if (kinds.join() !== have.join()) {
    const keep = sel.value;
    sel.innerHTML = `<option value="">every kind</option>${kinds.map((k) => `<option>${esc(k)}</option>`).join('')}`;
    sel.value = keep;
  }
}

function render() {
  const v = state.view;
  if (!v) return;
  renderRun(v);
  renderChassis(v.allChassis);
  renderCluster(v.cluster);
  renderVms(v);
  renderControls(v);
  drawCharts();
}

// ---- controls ----

async function control(body) {
  const out = $('control-result');
  out.textContent = '…';
  try {
    const res = await fetch('/api/control', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    const r = await res.json();
    out.textContent = res.ok ? r.message : `refused: ${r.error}`;
  } catch (err) {
    out.textContent = `failed: ${err.message}`;
  }
}

$('power-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const [mm, kind, bay] = $('power-bay').value.split(':');
  void control({ action: 'power', mm, kind, bay: Number(bay), on: ev.submitter?.value === 'true' });
});
$('move-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const f = new FormData(ev.target);
  void control({ action: 'move', role: f.get('role'), to: f.get('to'), live: f.get('live') === 'on' });
});
$('fault-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const f = new FormData(ev.target);
  void control({
    action: 'fault',
    kind: f.get('kind'),
    hosts: [f.get('host')],
    durationMs: Number(f.get('seconds')) * 1000,
  });
});
$('lift-all').addEventListener('click', () => void control({ action: 'lift-all' }));
for (const id of ['event-filter', 'event-kind', 'event-source'])
  $(id).addEventListener('input', renderEvents);

// ---- the live stream ----

function connect() {
  const since = state.series.t.at(-1) ?? 0;
  const es = new EventSource(`/api/stream?after=${state.lastSeq}&since=${since}`);
  es.addEventListener('open', () => {
    $('link').dataset.state = 'live';
    $('link').textContent = 'live';
  });
  es.addEventListener('tick', (m) => {
    const { view, points } = JSON.parse(m.data);
    state.view = view;
    appendPoints(points);
    render();
  });
  let pending = false;
  es.addEventListener('event', (m) => {
    if (addEvent(JSON.parse(m.data)) && !pending) {
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        renderEvents();
      });
    }
  });
  es.addEventListener('error', () => {
    // Reopen from where this page is, rather than from the first URL's positions.
    es.close();
    $('link').dataset.state = 'lost';
    $('link').textContent = 'reconnecting';
    setTimeout(connect, 1000);
  });
}

async function main() {
  const res = await fetch('/api/state');
  const s = await res.json();
  state.view = s.view;
  state.series = s.series;
  for (const p of s.events) addEvent(p);
  render();
  renderEvents();
  connect();
}

void main();
