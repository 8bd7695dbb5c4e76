/**
 * Where the MM serves the protocols real tools use, and the account they log in with. Pure: the
 * orchestrator's `dcbox status` uses the same rules as the service to print the endpoints.
 */
import { timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import type { MmSettings } from '../process/config.js';
import { parseBasicAuthorization } from '../transport/run-token.js';

/** The AMM's telnet port: fence_bladecenter connects to 23 by default (docs/domain.md §AMM CLI). */
export const DEFAULT_TELNET_PORT = 23;
/** Redfish port. The standard would be 443 (HTTPS); 8000 is a common emulator/BMC-simulator port. */
export const DEFAULT_REDFISH_PORT = 8000;
/**
 * In the local runtime every host shares 127.0.0.1 and takes ten ports from its gRPC port:
 * +1 is its NATS server and +2 its NATS cluster port (orchestrator/runtime.ts), so the MM's
 * telnet and Redfish take +3 and +4.
 */
export const LOCAL_TELNET_OFFSET = 3;
export const LOCAL_REDFISH_OFFSET = 4;

/** The default account of IBM management processors: USERID / PASSW0RD, with a zero (docs/domain.md §Accounts). */
export const DEFAULT_CREDENTIALS = { username: 'USERID', password: 'PASSW0RD' } as const;

/** A failed login is answered after this delay, to slow down password guessing. */
export const LOGIN_FAIL_DELAY_MS = 1000;
/** Redfish SessionTimeout when the topology sets none: 30 minutes. */
export const SESSION_TIMEOUT_S = 1800;

/**
 * Where the MM writes its self-signed Redfish certificate (and key), below its data folder: a
 * client trusts the service by naming this file as its CA (curl --cacert, REQUESTS_CA_BUNDLE).
 */
export function redfishCertificatePath(dataDir: string): string {
  return join(dataDir, 'tls', 'redfish-cert.pem');
}

/** The MM's protocol endpoints. */
export interface ProtocolEndpoints {
  telnet: { address: string; port: number };
  redfish: { address: string; port: number; tls: boolean };
}

/**
 * The ports: what the topology set, else in the local runtime (address 127.0.0.1) the gRPC port
 * plus 3 (telnet) and plus 4 (Redfish), else the real defaults 23 and 8000. Both listen on the
 * MM's own address only. Redfish is HTTPS unless the topology sets `redfishTls: false`: Redfish
 * clients such as fence_redfish speak only HTTPS (docs/domain.md §Redfish).
 */
export function protocolEndpoints(
  cfg: { address: string; grpcPort: number },
  settings: Pick<MmSettings, 'telnetPort' | 'redfishPort' | 'redfishTls'>,
): ProtocolEndpoints {
  const local = cfg.address === '127.0.0.1';
  return {
    telnet: {
      address: cfg.address,
      port: settings.telnetPort ?? (local ? cfg.grpcPort + LOCAL_TELNET_OFFSET : DEFAULT_TELNET_PORT),
    },
    redfish: {
      address: cfg.address,
      port: settings.redfishPort ?? (local ? cfg.grpcPort + LOCAL_REDFISH_OFFSET : DEFAULT_REDFISH_PORT),
      tls: settings.redfishTls ?? true,
    },
  };
}

/** True while the account is still the factory default, which `dcbox status` warns about. */
export function usesDefaultCredentials(c: { username: string; password: string }): boolean {
  return c.username === DEFAULT_CREDENTIALS.username && c.password === DEFAULT_CREDENTIALS.password;
}

/** Compares a login with the account in constant time (no early exit on the first wrong byte). */
export function credentialsMatch(
  account: { username: string; password: string },
  username: string,
  password: string,
): boolean {
  const same = (a: string, b: string) => {
    const x = Buffer.from(a);
    const y = Buffer.from(b);
    return x.length === y.length && timingSafeEqual(x, y);
  };
  // Evaluate both so a wrong user name takes as long as a wrong password.
  const user = same(account.username, username);
  const pass = same(account.password, password);
  return user && pass;
}

/**
 * Whether a call to the MM's gRPC API may go on, from the values of its `authorization`
 * metadata: null when one is `Basic` with the chassis account, else the user it claimed (empty
 * when none) and why it is refused. The same account and checks as telnet and Redfish.
 */
export function grpcLoginRefusal(
  account: { username: string; password: string },
  authorization: unknown[],
): { user: string; details: string } | null {
  if (authorization.length === 0)
    return {
      user: '',
      details:
        'the management module asks for the chassis account: metadata authorization: Basic base64(user:password)',
    };
  let user: string | null = null;
  for (const value of authorization) {
    const login = parseBasicAuthorization(value);
    if (!login) continue;
    if (credentialsMatch(account, login.username, login.password)) return null;
    user = login.username;
  }
  if (user === null)
    return { user: '', details: 'authorization is not Basic base64(user:password): login refused' };
  return { user, details: `login refused for user '${user}': wrong user name or password` };
}
