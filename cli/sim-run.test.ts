/**
 * `dcbox sim run --experiment`: a shipped chaos experiment simulated from the command line, with
 * the story of cluster events that test/chaos.test.ts compares with real runs; an experiment the
 * simulation cannot set up as the runner does is refused with the reason.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('..', import.meta.url).pathname;

/** The CLI from its sources, as `npm run dev` runs it. */
function dcbox(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'bin/dcbox.js', ...args], {
    cwd: ROOT,
    env: { ...process.env, DCBOX_FROM_SOURCE: '1' },
    encoding: 'utf8',
  });
}

describe('dcbox sim run --experiment', () => {
  it('simulates a shipped experiment and prints its verdict and story of cluster events', () => {
    const r = dcbox(['sim', 'run', '--experiment', 'seed-power-off', '--seed', '11', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { verdict: string; faults: { kind: string }[]; story: object };
    expect(out.verdict).toBe('pass');
    expect(out.faults.map((f) => f.kind)).toEqual(['power-off']);
    expect(out.story).toEqual({
      HVR2NODO1: [
        'node-removed:HVR2NODO2',
        'fenced:HVR2NODO2',
        'failover:VirtualMachine1',
        'role-online:VirtualMachine1',
        'node-joined:HVR2NODO2',
      ],
      HVR2NODO2: ['joined'],
    });
  });

  it('refuses an experiment with steps the simulation does not run, saying which', () => {
    const r = dcbox(['sim', 'run', '--experiment', 'live-migration-dirtying', '--seed', '1']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('the simulation runs fault and wait steps only');
  });
});

describe('dcbox sim swarm', () => {
  it('runs itself again under its V8 flags and prints the summary of that run', () => {
    const r = dcbox(['sim', 'swarm', '--seeds', '1..2', '--timing', 'fast', '--duration', '5s', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { seeds: number; verdicts: { fail: number }; v8Flags: string[] };
    expect(out.seeds).toBe(2);
    expect(out.verdicts.fail).toBe(0);
    expect(out.v8Flags).toEqual(['--single-threaded']);
  });
});
