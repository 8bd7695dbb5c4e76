import { describe, expect, it } from 'vitest';
import { basicAuthorization } from '../transport/run-token.js';
import { grpcLoginRefusal, redfishCertificatePath } from './endpoints.js';

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

describe("the management module's Redfish certificate", () => {
  it('is kept in the tls folder of the MM data folder', () => {
    expect(redfishCertificatePath('/run/hosts/mm/data')).toBe('/run/hosts/mm/data/tls/redfish-cert.pem');
  });
});
