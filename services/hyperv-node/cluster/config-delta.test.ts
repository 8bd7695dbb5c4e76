import { describe, expect, it } from 'vitest';
import { Random } from '../../actor/clock.js';
import { applyDelta, configDelta } from './config-delta.js';
import { bump, withRole } from './core/replication.js';
import type { ClusterConfig, ClusterState, RoleConfig } from './core/state.js';
import { onlineRole } from './test-support.js';

const csv = (coordinator: string): ClusterConfig['csv'] => ({
  Volume1: { volume: 'Volume1', lun: 'CSV1', path: 'C:\\ClusterStorage\\Volume1', coordinator },
});
const empty: ClusterConfig = { version: 0, roles: {}, csv: csv('N1') };

/** One change as the core makes it: copying the configuration, never changing it in place. */
function change(c: ClusterConfig, r: Random, n: number): ClusterConfig {
  const s = { config: c } as ClusterState;
  const names = Object.keys(c.roles);
  const pick = names[Math.floor(r.next() * names.length)];
  const what = r.next();
  if (what < 0.4 || !pick) return bump(s, (x) => withRole(x, onlineRole(`VM${n}`, 'N1'))).config;
  if (what < 0.8)
    return bump(s, (x) => withRole(x, { ...(x.roles[pick] as RoleConfig), owner: `N${n % 3}` })).config;
  if (what < 0.9)
    return bump(s, (x) => {
      const { [pick]: _gone, ...roles } = x.roles;
      return { ...x, roles };
    }).config;
  return bump(s, (x) => ({ ...x, csv: csv(`N${n % 3}`) })).config;
}

describe('configuration deltas', () => {
  it('rebuild every configuration of a long run of changes exactly, from any earlier one', () => {
    const r = new Random(7);
    const history = [empty];
    for (let n = 1; n <= 300; n++) history.push(change(history[n - 1] as ClusterConfig, r, n));
    let deltas = 0;
    for (let n = 1; n <= 300; n++) {
      for (const back of [1, 2, 10]) {
        const from = history[Math.max(0, n - back)] as ClusterConfig;
        const to = history[n] as ClusterConfig;
        const d = configDelta(from, to);
        if (!d) continue;
        deltas++;
        const { version, ...rest } = to;
        expect(JSON.stringify(applyDelta(from, d))).toBe(JSON.stringify({ version, ...rest }));
        expect(d.base).toBe(from.version);
      }
    }
    expect(deltas).toBeGreaterThan(800);
  });

  it('carry only the roles that changed', () => {
    let c = empty;
    for (let n = 1; n <= 1000; n++) c = withRole(c, onlineRole(`VM${n}`, 'N1'));
    const next = bump({ config: c } as ClusterState, (x) =>
      withRole(x, { ...(x.roles.VM7 as RoleConfig), owner: 'N2' }),
    ).config;
    const d = configDelta(c, next);
    expect(Object.keys(d?.roles.set ?? {})).toEqual(['VM7']);
    expect(d?.roles.del).toEqual([]);
    expect(JSON.stringify(d).length * 50).toBeLessThan(JSON.stringify(next).length);
  });

  it('are refused when they would not keep the roles in order (a role removed and added again)', () => {
    let c = empty;
    for (const n of [1, 2, 3]) c = withRole(c, onlineRole(`VM${n}`, 'N1'));
    const { VM1: _gone, ...rest } = c.roles;
    const readded = { ...c, version: c.version + 1, roles: { ...rest, VM1: onlineRole('VM1', 'N2') } };
    expect(configDelta(c, readded)).toBeNull();
  });
});
