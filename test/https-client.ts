/**
 * A small HTTPS client for the tests that talk to the management module's Redfish service: fetch
 * cannot be told to trust one extra CA without a dispatcher package, so this goes through
 * node:https with the MM's self-signed certificate as the only CA.
 */
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as tlsRequest } from 'node:https';

/** An answer: status, headers (lower-case names) and the body as text. */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * Sends one request to `url`; over HTTPS the certificate must chain to the PEM file `caFile`
 * (the MM's own certificate), so a wrong or missing certificate fails the request.
 */
export function httpsRequest(
  url: string,
  init: {
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    /** The CA as a PEM file, or as PEM text (`ca`); over HTTPS one of them is the only CA. */
    caFile?: string | null;
    ca?: string | null;
  },
): Promise<HttpAnswer> {
  const u = new URL(url);
  const send = u.protocol === 'https:' ? tlsRequest : httpRequest;
  const ca = init.ca ?? (init.caFile ? readFileSync(init.caFile) : undefined);
  return new Promise((resolve, reject) => {
    const r = send(
      u,
      { method: init.method ?? 'GET', headers: init.headers, ...(ca ? { ca } : {}) },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      },
    );
    r.on('error', reject);
    r.end(init.body);
  });
}
