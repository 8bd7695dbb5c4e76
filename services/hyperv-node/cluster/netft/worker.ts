/**
 * A node's heartbeat thread, dcbox's stand-in for the cluster network driver (NetFT): it answers
 * peers' heartbeats and sends the node's own, over a NATS connection of its own, beside the
 * cluster service's event loop. The service answers each heartbeat itself when it can; when it is
 * late (a leader placing many roles, a machine short of CPU) this thread answers with the
 * service's last view, as a real node's kernel keeps heartbeating while its cluster service is
 * busy (docs/domain.md §Heartbeats). A frozen or killed process answers nothing, as before; a
 * service that stops checking in is taken as hung and the heartbeats stop (hang-watch.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Msg, NatsConnection } from '@nats-io/transport-node';
import { systemClock } from '../../../actor/clock.js';
import { connectNats, encodeJson } from '../../../transport/nats.js';
import { HangWatch } from './hang-watch.js';
import type { FromNetFt, NetFtWorkerData, ToNetFt } from './protocol.js';
import { answerAt, type StandingView } from './standing.js';

const data = workerData as NetFtWorkerData;
const port = parentPort;
if (!port) throw new Error('the heartbeat thread runs only as a worker thread');
const post = (m: FromNetFt) => port.postMessage(m);
const now = () => systemClock.now();

let standing: StandingView | null = null;
/** Peers' heartbeats the service has not answered yet, by id. */
const waiting = new Map<number, { msg: Msg; timer: NodeJS.Timeout }>();
let nextId = 1;
const watch = new HangWatch(data.hangTimeoutMs, data.tickMs, now());
const ticker = setInterval(() => {
  if (!watch.tick(now())) return;
  for (const w of waiting.values()) clearTimeout(w.timer);
  waiting.clear();
  post({ type: 'hung', silentMs: data.hangTimeoutMs });
}, data.tickMs);

/** A peer's heartbeat: handed to the service, answered by it or, when it is late, from here. */
function onHeartbeat(msg: Msg): void {
  if (watch.hung) return;
  const id = nextId++;
  waiting.set(id, { msg, timer: setTimeout(() => answer(id, standing), data.standInMs) });
  // A copy of the message's bytes alone: the view may share a larger read buffer.
  post({ type: 'request', id, data: msg.data.slice() });
}

function answer(id: number, view: StandingView | null): void {
  const w = waiting.get(id);
  if (!w) return;
  clearTimeout(w.timer);
  waiting.delete(id);
  if (view && !watch.hung) w.msg.respond(encodeJson(answerAt(view, now())));
}

/** Sends one of the service's heartbeats; a hung service's are not sent at all. */
async function send(nc: NatsConnection, m: Extract<ToNetFt, { type: 'send' }>): Promise<void> {
  if (watch.hung) return;
  try {
    const reply = await nc.request(m.subject, m.data, { timeout: m.timeoutMs });
    post({ type: 'result', id: m.id, data: reply.data.slice() });
  } catch {
    post({ type: 'result', id: m.id, data: null });
  }
}

const connected = connectNats(data.natsUrl, data.name, undefined, data.token).then(async (nc) => {
  nc.subscribe(data.subject, { callback: (_err, msg) => onHeartbeat(msg) });
  // Ready once the server has the subscription: a heartbeat sent then is answered.
  await nc.flush();
  post({ type: 'ready' });
  return nc;
});
connected.catch((err: Error) => post({ type: 'failed', message: err.message }));

port.on('message', (m: ToNetFt) => {
  const hungMs = watch.checkIn(now());
  if (hungMs !== null) post({ type: 'recovered', hungMs });
  switch (m.type) {
    case 'answer':
      standing = m.standing;
      answer(m.id, m.standing);
      return;
    case 'alive':
      return;
    case 'send':
      void connected.then((nc) => send(nc, m)).catch(() => {});
      return;
    case 'stop':
      clearInterval(ticker);
      void connected
        .then((nc) => nc.close())
        .catch(() => {})
        .finally(() => port.close());
      return;
  }
});
