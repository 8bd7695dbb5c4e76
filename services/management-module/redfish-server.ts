/**
 * The HTTP(S) server that carries Redfish requests to the router in redfish.ts. HTTPS uses a
 * self-signed certificate made at start with the system's `openssl` (no npm dependency: openssl
 * is on every Debian machine, and one execFile at start is all it takes).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import {
  createServer as createHttp,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttps } from 'node:https';
import { isIP } from 'node:net';
import { join } from 'node:path';
import type { Logger } from '../process/log.js';
import type { RedfishService } from './redfish.js';

/** Largest request body accepted (a reset or a login is a few dozen bytes). */
export const BODY_BYTES_MAX = 64 * 1024;

/**
 * Makes a self-signed certificate for `address` in `dir` with openssl; returns key and cert. The
 * key is ECDSA P-256: an RSA-2048 key took 0.15–0.4 s of the MM's start (its prime search, here
 * while seven other services load), a P-256 key ~5 ms, and every Redfish client (python-requests
 * under fence_redfish and redfishtool, curl) takes either.
 */
export function selfSignedCertificate(dir: string, address: string): { key: Buffer; cert: Buffer } {
  mkdirSync(dir, { recursive: true });
  const key = join(dir, 'redfish-key.pem');
  const cert = join(dir, 'redfish-cert.pem');
  const san = isIP(address) ? `IP:${address}` : `DNS:${address}`;
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '825',
      '-subj',
      `/CN=${address}/O=dcbox AMM`,
      '-addext',
      `subjectAltName=${san}`,
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(key), cert: readFileSync(cert) };
}

/** Starts the Redfish server on address:port (HTTPS when tls is given); resolves once it listens. */
export async function startRedfishServer(
  service: RedfishService,
  address: string,
  port: number,
  log: Logger,
  tls?: { key: Buffer; cert: Buffer },
): Promise<Server> {
  const handler = (req: IncomingMessage, res: ServerResponse) => void serve(service, req, res, log);
  const server: Server = tls ? createHttps(tls, handler) : createHttp(handler);
  // Idle keep-alive connections of clients such as python-requests must not hold the MM open.
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

async function serve(
  service: RedfishService,
  req: IncomingMessage,
  res: ServerResponse,
  log: Logger,
): Promise<void> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size > BODY_BYTES_MAX) {
        res.writeHead(413, { 'OData-Version': '4.0', Connection: 'close' }).end();
        req.destroy();
        return;
      }
      chunks.push(c as Buffer);
    }
  } catch {
    return;
  }
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers))
    headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  const out = await service.handle({
    method: req.method ?? 'GET',
    path: req.url ?? '/',
    headers,
    body: Buffer.concat(chunks).toString('utf8'),
  });
  if (out.status >= 500)
    log('warn', 'redfish request failed', { method: req.method, url: req.url, status: out.status });
  const body = out.body === undefined ? undefined : JSON.stringify(out.body);
  res.writeHead(out.status, {
    ...out.headers,
    ...(body === undefined ? {} : { 'Content-Length': Buffer.byteLength(body) }),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
