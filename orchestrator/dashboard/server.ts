/**
 * The dashboard's HTTP server, beside the CLI on the workstation side (127.0.0.1:8080 unless
 * told otherwise): the page and its script (observability/dashboard/), uPlot from node_modules,
 * the current view as JSON, and one Server-Sent Events stream that pushes every tick's view with
 * the new chart points and every event of the stream as it arrives — so the page updates live
 * without reloading. Controls that change the world answer only when the daemon was started with
 * `--allow-control`, and only to a request carrying the token printed at start.
 *
 * The folder: server.ts (this, the HTTP side), observer.ts (what the daemon watches: event
 * streams, polls and pings) and model.ts (the pure pieces: the event hub, cursors, the series
 * and the changes read from polls).
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { projectRoot } from '../../services/transport/grpc.js';
import { seriesAfter } from './model.js';
import type { Observer } from './observer.js';

/** A change a person asks for from the dashboard's controls. */
export type ControlRequest =
  /** `mm`: the management module of the bay's chassis (the first chassis's when absent). */
  | { action: 'power'; kind: 'blade' | 'io'; bay: number; on: boolean; mm?: string }
  | { action: 'move'; role: string; to: string; live: boolean }
  | { action: 'fault'; kind: string; hosts: string[]; durationMs: number }
  | { action: 'lift-all' };

/** How the server is set up. */
export interface DashboardOptions {
  host: string;
  port: number;
  /** The token controls need, or null when the dashboard is read-only. */
  token: string | null;
  /** Carries out a control request; its error message goes back to the page. */
  control(req: ControlRequest): Promise<string>;
}

/** How many events a page gets when it opens (the stream keeps more). */
const INITIAL_EVENTS = 1000;

/**
 * uPlot's dist/ folder, found as dcbox's own code would load the package: beside dcbox in a
 * checkout, in the consumer's node_modules when npm hoisted it there.
 */
const UPLOT = join(
  dirname(createRequire(join(projectRoot, 'package.json')).resolve('uplot/package.json')),
  'dist',
);

const STATIC: Record<string, { file: string; type: string }> = {
  '/': {
    file: join(projectRoot, 'observability', 'dashboard', 'index.html'),
    type: 'text/html; charset=utf-8',
  },
  '/app.js': {
    file: join(projectRoot, 'observability', 'dashboard', 'app.js'),
    type: 'text/javascript; charset=utf-8',
  },
  '/style.css': {
    file: join(projectRoot, 'observability', 'dashboard', 'style.css'),
    type: 'text/css; charset=utf-8',
  },
  '/vendor/uPlot.iife.min.js': {
    file: join(UPLOT, 'uPlot.iife.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
  '/vendor/uPlot.min.css': {
    file: join(UPLOT, 'uPlot.min.css'),
    type: 'text/css; charset=utf-8',
  },
};

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function body(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 64 * 1024) throw new Error('request body over 64 KiB');
    chunks.push(c as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
}

/** Checks a control request's shape; the message says what is wrong. */
export function parseControl(x: unknown): ControlRequest {
  const o = (x ?? {}) as Record<string, unknown>;
  const str = (k: string) => {
    if (typeof o[k] !== 'string' || !o[k]) throw new Error(`${k} must be a non-empty string`);
    return o[k] as string;
  };
  switch (o.action) {
    case 'power': {
      if (o.kind !== 'blade' && o.kind !== 'io') throw new Error('kind must be "blade" or "io"');
      if (!Number.isInteger(o.bay) || (o.bay as number) < 1)
        throw new Error('bay must be a bay number from 1');
      if (typeof o.on !== 'boolean') throw new Error('on must be true or false');
      if (o.mm !== undefined && (typeof o.mm !== 'string' || !o.mm))
        throw new Error('mm must be the host name of a management module');
      const mm = o.mm as string | undefined;
      return { action: 'power', kind: o.kind, bay: o.bay as number, on: o.on, ...(mm ? { mm } : {}) };
    }
    case 'move':
      return { action: 'move', role: str('role'), to: str('to'), live: o.live === true };
    case 'fault': {
      const hosts = o.hosts;
      if (!Array.isArray(hosts) || !hosts.every((h) => typeof h === 'string'))
        throw new Error('hosts must be a list of host names');
      const durationMs = Number(o.durationMs ?? 30_000);
      if (!(durationMs > 0)) throw new Error('durationMs must be a positive number');
      return { action: 'fault', kind: str('kind'), hosts: hosts as string[], durationMs };
    }
    case 'lift-all':
      return { action: 'lift-all' };
    default:
      throw new Error(`unknown action ${JSON.stringify(o.action)} (power, move, fault, lift-all)`);
  }
}

/** Starts serving; resolves once listening, or rejects (e.g. the port is taken). */
export async function startDashboard(observer: Observer, opts: DashboardOptions): Promise<Server> {
  const server = createServer((req, res) => {
    void handle(observer, opts, req, res).catch((err: Error) => {
      if (!res.headersSent) json(res, 500, { error: err.message });
      else res.end();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

/** One request: the page and its files, the current state, the live stream, or a control. */
async function handle(
  observer: Observer,
  opts: DashboardOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://dashboard');
  const file = STATIC[url.pathname];
  if (req.method === 'GET' && file) {
    const data = await readFile(file.file);
    res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-cache' });
    res.end(data);
    return;
  }
  if (req.method === 'GET' && url.pathname === '/api/state') {
    const hub = observer.hub;
    json(res, 200, {
      view: observer.current(),
      series: observer.series.series,
      events: hub.after(Math.max(0, hub.last - INITIAL_EVENTS)),
    });
    return;
  }
  if (req.method === 'GET' && url.pathname === '/api/stream') {
    stream(observer, req, res, url);
    return;
  }
  if (url.pathname === '/api/control') return control(opts, req, res);
  json(res, 404, { error: `no ${url.pathname} here` });
}

/** A control request: POST only, with the token, of a known action; its outcome goes back as JSON. */
async function control(opts: DashboardOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST') return json(res, 405, { error: 'POST a JSON control request' });
  if (!opts.token)
    return json(res, 403, {
      error: 'this dashboard is read-only: start the data center with `dcbox up --allow-control`',
    });
  if (req.headers.authorization !== `Bearer ${opts.token}`)
    return json(res, 401, {
      error: 'a control request needs the token `dcbox up` printed (Authorization: Bearer …)',
    });
  let request: ControlRequest;
  try {
    request = parseControl(await body(req));
  } catch (err) {
    return json(res, 400, { error: (err as Error).message });
  }
  try {
    json(res, 200, { ok: true, message: await opts.control(request) });
  } catch (err) {
    json(res, 409, { error: (err as Error).message });
  }
}

/** One SSE stream: `event` for each new event, `tick` for each new view with the new points. */
function stream(observer: Observer, req: IncomingMessage, res: ServerResponse, url: URL): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
  });
  const send = (event: string, data: unknown) =>
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const after = Number(url.searchParams.get('after') ?? observer.hub.last);
  for (const p of observer.hub.after(Number.isFinite(after) ? after : observer.hub.last)) send('event', p);
  let sentT = Number(url.searchParams.get('since') ?? Number.POSITIVE_INFINITY);
  if (!Number.isFinite(sentT)) sentT = observer.series.series.t.at(-1) ?? 0;
  const stopEvents = observer.hub.follow((p) => send('event', p));
  const stopTicks = observer.onTick(() => {
    const points = seriesAfter(observer.series.series, sentT);
    sentT = points.t.at(-1) ?? sentT;
    send('tick', { view: observer.current(), points });
  });
  req.on('close', () => {
    stopEvents();
    stopTicks();
  });
}
