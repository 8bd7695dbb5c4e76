import { describe, expect, it } from 'vitest';
import {
  corosyncConf,
  corosyncLineTimeMs,
  memberLeftAtMs,
  PCMK_NODES,
  tokenForDetection,
} from './pacemaker-config.js';

const LOG = `Dec 03 15:38:41.215 [1167] pcmk-b corosync notice  [TOTEM ] A new membership (1.9) was formed. Members joined: 1
Dec 03 15:39:21.007 [1167] pcmk-b corosync notice  [TOTEM ] A processor failed, forming new configuration: token timed out (2300ms), waiting 2760ms for consensus.
Dec 03 15:39:23.767 [1167] pcmk-b corosync notice  [TOTEM ] A new membership (2.d) was formed. Members left: 1
Dec 03 15:39:23.767 [1167] pcmk-b corosync notice  [QUORUM] Members[1]: 2
`;
const killAt = Date.UTC(2026, 11, 3, 15, 39, 18, 847);

describe('the corosync token for a wanted detection', () => {
  it('takes token + consensus (1.2 × token) to equal the detection', () => {
    expect(tokenForDetection(5000)).toBe(2270);
    expect(tokenForDetection(11_000)).toBe(5000);
  });

  it('never goes below 200 ms', () => {
    expect(tokenForDetection(100)).toBe(200);
  });
});

describe('corosync.conf', () => {
  it('names both nodes with their addresses in 198.18.250.0/24, two_node and the token', () => {
    const conf = corosyncConf(2300, '/var/log/pacemaker/corosync.log');
    expect(conf).toContain('token: 2300');
    expect(conf).toContain('two_node: 1');
    expect(conf).toContain('timestamp: hires');
    for (const n of PCMK_NODES) expect(conf).toContain(`ring0_addr: ${n.address}`);
    expect(PCMK_NODES.every((n) => n.address.startsWith('198.18.250.'))).toBe(true);
  });
});

describe('reading the survivor’s corosync log', () => {
  it('reads a millisecond stamp in local time, the year taken from the kill', () => {
    expect(corosyncLineTimeMs('Dec 03 15:39:23.767 [1167] x', killAt, 0)).toBe(
      Date.UTC(2026, 11, 3, 15, 39, 23, 767),
    );
    // One hour east of UTC: the local 15:39 is 14:39 UTC.
    expect(corosyncLineTimeMs('Dec 03 15:39:23.767 [1167] x', killAt, -60)).toBe(
      Date.UTC(2026, 11, 3, 14, 39, 23, 767),
    );
  });

  it('puts a December line read just after new year in the year before', () => {
    const jan1 = Date.UTC(2027, 0, 1, 0, 0, 2);
    expect(corosyncLineTimeMs('Dec 31 23:59:58.000 [1] x', jan1, 0)).toBe(Date.UTC(2026, 11, 31, 23, 59, 58));
  });

  it('finds the membership formed without the killed node, not the processor-failed line', () => {
    expect(memberLeftAtMs(LOG, 1, killAt, 0)).toBe(Date.UTC(2026, 11, 3, 15, 39, 23, 767));
  });

  it('ignores another node leaving and lines before the kill', () => {
    expect(memberLeftAtMs(LOG, 2, killAt, 0)).toBeNull();
    expect(memberLeftAtMs(LOG, 1, Date.UTC(2026, 11, 3, 15, 40, 0), 0)).toBeNull();
  });
});
