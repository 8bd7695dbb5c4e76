import { describe, expect, it } from 'vitest';
import { basicAuthorization } from '../transport/run-token.js';
import { grpcLoginRefusal, protocolEndpoints, redfishCertificatePath } from './endpoints.js';

const ACCOUNT = { username: 'USERID', password: 'PASSW0RD' };

describe("the management module's gRPC login", () => {
  it('lets the chassis account through', () => {
    expect(grpcLoginRefusal(ACCOUNT, [basicAuthorization(ACCOUNT)])).toBeNull();
  });

  it('refuses a call without credentials and says what it wants', () => {
    expect(grpcLoginRefusal(ACCOUNT, [])).toEqual({
      user: '',
      details: expect.stringMatching(/asks for the chassis account: metadata authorization: Basic/),
    });
  });

  it('refuses a wrong password, naming the user who tried', () => {
    expect(
      grpcLoginRefusal(ACCOUNT, [basicAuthorization({ username: 'USERID', password: 'guess' })]),
    ).toEqual({
      user: 'USERID',
      details: "login refused for user 'USERID': wrong user name or password",
    });
  });

  it('refuses what is not Basic credentials', () => {
    expect(grpcLoginRefusal(ACCOUNT, ['Bearer x'])?.details).toMatch(/not Basic/);
  });
});

describe("the management module's protocol endpoints", () => {
  const cfg = { address: '198.18.0.11', grpcPort: 50051 };

  it('serves Redfish over HTTPS unless the topology asks for plain HTTP', () => {
    expect(protocolEndpoints(cfg, {}).redfish).toEqual({ address: '198.18.0.11', port: 8000, tls: true });
    expect(protocolEndpoints(cfg, { redfishTls: false }).redfish.tls).toBe(false);
  });

  it('keeps the certificate in the tls folder of the MM data folder', () => {
    expect(redfishCertificatePath('/run/hosts/mm/data')).toBe('/run/hosts/mm/data/tls/redfish-cert.pem');
  });
});
