import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RedfishService } from './redfish.js';
import { selfSignedCertificate, startRedfishServer } from './redfish-server.js';

const dir = mkdtempSync(join(tmpdir(), 'dcbox-redfish-tls-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Redfish over HTTPS', () => {
  it('serves the service root with a self-signed certificate made at start for the MM address', async () => {
    const tls = selfSignedCertificate(dir, '127.0.0.1');
    const cert = new X509Certificate(tls.cert);
    expect(cert.subjectAltName).toBe('IP Address:127.0.0.1');
    expect(cert.checkIssued(cert)).toBe(true);
    const svc = new RedfishService({
      chassis: () => ({
        name: 'BCS-DCBOX',
        model: 'IBM BladeCenter S',
        blades: [],
        io_modules: [],
        storage_modules: [],
      }),
      credentials: { username: 'USERID', password: 'PASSW0RD' },
      power: async () => undefined,
      login: () => undefined,
      now: () => 0,
      newToken: () => 't',
      delay: async () => undefined,
      loginFailDelayMs: 0,
      sessionTimeoutS: 60,
    });
    const server = await startRedfishServer(svc, '127.0.0.1', 0, () => undefined, tls);
    try {
      const port = (server.address() as AddressInfo).port;
      const res = await new Promise<{ status: number; odata: string; body: string }>((resolve, reject) => {
        const r = request({ host: '127.0.0.1', port, path: '/redfish/v1/', ca: tls.cert }, (m) => {
          let body = '';
          m.on('data', (d) => {
            body += d;
          });
          m.on('end', () =>
            resolve({ status: m.statusCode ?? 0, odata: String(m.headers['odata-version']), body }),
          );
        });
        r.on('error', reject);
        r.end();
      });
      expect(res.status).toBe(200);
      expect(res.odata).toBe('4.0');
      expect(JSON.parse(res.body).Id).toBe('RootService');
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });
});
