import { describe, expect, it } from 'vitest';
import type { VmSpec } from '../../process/config.js';
import type { VmInstanceState } from '../vm/model.js';
import { freshEntry } from '../vm/registry.js';
import { PAGE_SIZE } from './dirty-bitmap.js';
import { DEFAULT_POLICY } from './passes.js';
import {
  decideMigrationSource,
  initialMigrationSource,
  type MigrationKind,
  type MigrationSourceDecision,
  type MigrationSourceMsg,
} from './source-core.js';

const MIB = 1024 * 1024;
const spec: VmSpec = {
  name: 'VM1',
  memoryMiB: 32,
  diskPath: 'C:\\ClusterStorage\\Volume1\\VM1\\VM1.vhd',
  lun: 'CSV1',
  diskOffsetBytes: 0,
  diskSizeBytes: 16 * MIB,
  switchName: 'VMs',
  node: 'HVR2NODO2',
};
const runningVm: VmInstanceState = {
  ...freshEntry(spec, 100),
  epoch: 1,
  run: { state: 'Running', epoch: 1, since: 0 },
};
const pausedVm: VmInstanceState = {
  ...runningVm,
  run: { state: 'Paused', epoch: 1, since: 0, pausedAt: 900 },
};

/** Feeds messages in order at the given times; returns every decision. */
function drive(
  kind: MigrationKind,
  steps: [number, MigrationSourceMsg][],
  savedStateShared = false,
): MigrationSourceDecision[] {
  let state = initialMigrationSource({
    vm: runningVm,
    from: 'HVR2NODO2',
    to: 'HVR2NODO1',
    kind,
    savedStateShared,
    policy: DEFAULT_POLICY,
    startedAt: 0,
  });
  const out: MigrationSourceDecision[] = [];
  for (const [now, msg] of steps) {
    const d = decideMigrationSource(state, msg, { now });
    state = d.state;
    out.push(d);
  }
  return out;
}
const types = (d: MigrationSourceDecision | undefined) =>
  (d?.effects ?? []).map((e) => (e.type === 'emit' ? `emit ${e.event.phase}` : e.type));
const fullPass = (pass: number, dirtyPages: number, vm: VmInstanceState = runningVm): MigrationSourceMsg => ({
  type: 'passSent',
  pass,
  pages: 8192,
  bytes: 32 * MIB,
  ms: 100,
  dirtyPages,
  vm,
});
const setup: [number, MigrationSourceMsg][] = [
  [0, { type: 'start' }],
  [10, { type: 'connected', memoryBytes: 32 * MIB }],
  [20, { type: 'setupSent' }],
];

describe('migration source procedure', () => {
  it('copies all memory first, then passes until the dirty set is small, then pauses for stop-and-copy', () => {
    const d = drive('live', [
      ...setup,
      [120, fullPass(1, 5000)],
      [200, fullPass(2, 10)],
      [210, { type: 'paused' }],
    ]);
    expect(types(d[0])).toEqual(['connect']);
    expect(types(d[1])).toEqual(['emit setup', 'sendSetup']);
    expect(types(d[2])).toEqual(['markAllDirty', 'sendPass']);
    expect(types(d[3])).toEqual(['emit pass', 'sendPass']);
    expect(types(d[4])).toEqual(['emit pass', 'emit stop-and-copy', 'pause']);
    expect(d[5]?.effects).toEqual([{ type: 'sendFinalPass', pass: 3 }]);
    expect(d[4]?.state.pausedAt).toBe(200);
  });

  it('quick-migrates: pauses first and sends all of memory in one pass', () => {
    const d = drive('quick', [...setup, [30, { type: 'paused' }]]);
    expect(types(d[2])).toEqual(['emit stop-and-copy', 'pause']);
    expect(types(d[3])).toEqual(['markAllDirty', 'sendFinalPass']);
  });

  it('quick-migrates through the saved state on the CSV when it is shared: save, then device and resume', () => {
    const d = drive(
      'quick',
      [...setup, [30, { type: 'paused' }], [80, { type: 'stateSaved', bytes: 32 * MIB, vm: pausedVm }]],
      true,
    );
    expect(d[1]?.effects).toContainEqual(expect.objectContaining({ type: 'sendSetup', viaSavedState: true }));
    expect(types(d[3])).toEqual(['saveState']);
    expect(types(d[4])).toEqual(['sendDevice']);
    // A live migration never goes through the saved state, shared or not.
    const live = drive('live', [...setup], true);
    expect(live[1]?.effects).toContainEqual(
      expect.objectContaining({ type: 'sendSetup', viaSavedState: false }),
    );
  });

  it('reports the blackout from pause to the target resume, and the bytes of every pass', () => {
    const d = drive('live', [
      ...setup,
      [120, fullPass(1, 10)],
      [130, { type: 'paused' }],
      [140, { type: 'finalPassSent', bytes: 40960, vm: pausedVm }],
      [150, { type: 'deviceSent' }],
      [165, { type: 'acked', resumedAtMs: 160 }],
      [170, { type: 'handedOff' }],
    ]);
    expect(types(d[5])).toEqual(['sendDevice']);
    expect(types(d[6])).toEqual(['sendResume']);
    expect(types(d[7])).toEqual(['emit resumed', 'handOff']);
    const finish = d[8]?.effects.find((e) => e.type === 'finish');
    expect(finish).toMatchObject({
      stats: {
        passes: 2,
        pass_bytes: [32 * MIB, 40960],
        blackout_ms: 40,
        duration_ms: 170,
        paused_at_ms: 120,
      },
    });
  });

  it('runs the VM on here when a step fails before the resume order went out', () => {
    const d = drive('live', [
      ...setup,
      [120, { type: 'failed', code: 'TIMEOUT', message: 'stalled', definite: false }],
    ]);
    expect(types(d[3])).toEqual(['abort', 'migrationFailed', 'emit failed', 'log', 'reject']);
    expect(d[3]?.effects).toContainEqual({ type: 'migrationFailed', hold: false });
    expect(d[3]?.effects.at(-1)).toMatchObject({ type: 'reject', code: 'TIMEOUT' });
  });

  it('holds the VM paused once the resume order was sent, and reports an unknown outcome', () => {
    const d = drive('live', [
      ...setup,
      [120, fullPass(1, 10)],
      [130, { type: 'paused' }],
      [140, { type: 'finalPassSent', bytes: 4096, vm: pausedVm }],
      [150, { type: 'deviceSent' }],
      [160, { type: 'failed', code: 'BAD_STATE', message: 'refused', definite: true }],
    ]);
    expect(d[7]?.effects).toContainEqual({ type: 'migrationFailed', hold: true });
    expect(d[7]?.effects.at(-1)).toMatchObject({
      type: 'reject',
      code: 'UNAVAILABLE',
      message: expect.stringMatching(/VM1 is held paused on HVR2NODO2/),
    });
  });

  it('gives up when the VM stopped running during a pass', () => {
    const off: VmInstanceState = { ...runningVm, run: { state: 'Off' } };
    const d = drive('live', [...setup, [120, fullPass(1, 5000, off)]]);
    expect(types(d[3])).toEqual(['emit pass', 'abort', 'migrationFailed', 'emit failed', 'log', 'reject']);
    expect(d[3]?.effects.at(-1)).toMatchObject({ code: 'BAD_STATE' });
  });

  it('refuses to send a device state for a VM that is no longer paused', () => {
    const d = drive('quick', [
      ...setup,
      [30, { type: 'paused' }],
      [40, { type: 'finalPassSent', bytes: PAGE_SIZE, vm: runningVm }],
    ]);
    expect(d[4]?.effects).toContainEqual({ type: 'migrationFailed', hold: false });
  });
});
