/**
 * The Docker Engine API over its unix socket, for the backplane container, which holds no docker
 * CLI: one call, the container of a host (found by its labels), and container power through the
 * API (POST /containers/{id}/kill, /start).
 */
import { request } from 'node:http';
import { LABEL_HOST } from './names.js';
import type { ContainerPower } from './power.js';

const SOCKET = process.env.DOCKER_SOCKET ?? '/var/run/docker.sock';
/** How long power off waits for a killed container to stop. */
const STOP_WAIT_MS = 10_000;

/** One call of the Docker Engine API over its unix socket. */
export function engineApi(method: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: SOCKET, method, path, timeout: 30_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`Docker Engine API ${method} ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** A container as the list call describes it. */
export interface ContainerSummary {
  Id: string;
  State: string;
}

/** The container of a host: the one carrying `dcbox.host=<host>` and the run's selector label. */
export async function containerOf(host: string, select: string): Promise<ContainerSummary> {
  const filters = JSON.stringify({ label: [`${LABEL_HOST}=${host}`, select] });
  const r = await engineApi('GET', `/containers/json?all=true&filters=${encodeURIComponent(filters)}`);
  if (r.status !== 200) throw new Error(`Docker Engine API: ${r.status} ${r.body.trim()}`);
  const list = JSON.parse(r.body) as ContainerSummary[];
  const c = list[0];
  if (!c) throw new Error(`no container labelled ${LABEL_HOST}=${host} and ${select}`);
  return c;
}

async function inspectState(id: string): Promise<{ Running: boolean; Pid: number }> {
  const r = await engineApi('GET', `/containers/${id}/json`);
  if (r.status !== 200) throw new Error(`Docker Engine API: ${r.status} ${r.body.trim()}`);
  return (JSON.parse(r.body) as { State: { Running: boolean; Pid: number } }).State;
}

/** Whether a container is running. */
export async function isRunning(id: string): Promise<boolean> {
  return (await inspectState(id)).Running;
}

/**
 * Container power through the Engine API; `host` names the container in errors. Kill does not
 * look at the answer (a container that is not running stays so); start leaves a running
 * container alone.
 */
export function engineApiPower(host: string): ContainerPower {
  return {
    async kill(id) {
      await engineApi('POST', `/containers/${id}/kill?signal=SIGKILL`);
    },
    async waitStopped(id) {
      const until = Date.now() + STOP_WAIT_MS;
      while ((await isRunning(id)) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    },
    async start(id) {
      if (await isRunning(id)) return;
      const r = await engineApi('POST', `/containers/${id}/start`);
      if (r.status >= 300 && r.status !== 304) throw new Error(`start ${host}: ${r.status} ${r.body.trim()}`);
    },
    async initPid(id) {
      const state = await inspectState(id);
      return state.Running && state.Pid ? state.Pid : null;
    },
  };
}
