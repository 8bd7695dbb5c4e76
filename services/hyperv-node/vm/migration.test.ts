import { describe, expect, it } from 'vitest';
import { deviceStateOf } from './migration-source.js';
import { clusterVmState } from './model.js';
import { changedVms } from './registry.js';
import { BOOT, INTERVAL, kinds, MIB, replyOf, running, sim, vm1 } from './test-support.js';

describe('migration, source and target sides', () => {
  it('holds one migration per node pair', () => {
    const s = sim();
    running(s);
    s.send({ type: 'define', replyTo: 'a', spec: { ...vm1, name: 'Other', diskOffsetBytes: 128 * MIB } });
    s.send({ type: 'start', replyTo: 'b', name: 'Other' });
    s.send({ type: 'memoryReady', name: 'Other', epoch: 1 });
    s.advance(BOOT);
    expect(
      replyOf(s.send({ type: 'beginMigration', replyTo: 'c', name: 'VirtualMachine1', to: 'HVR2NODO1' }))
        ?.reply,
    ).toMatchObject({ ok: true });
    expect(
      replyOf(s.send({ type: 'beginMigration', replyTo: 'd', name: 'Other', to: 'HVR2NODO1' }))?.reply,
    ).toMatchObject({
      ok: false,
      code: 'BAD_STATE',
      message: expect.stringMatching(
        /from HVR2NODO2 to HVR2NODO1 is already under way \(VM VirtualMachine1\)/,
      ),
    });
    expect(
      replyOf(s.send({ type: 'beginMigration', replyTo: 'e', name: 'Other', to: 'HVR2NODO3' }))?.reply,
    ).toMatchObject({ ok: true });
    expect(replyOf(s.send({ type: 'save', replyTo: 'f', name: 'Other' }))?.reply).toMatchObject({
      code: 'BAD_STATE',
    });
    s.send({ type: 'migrationFailed', replyTo: 'g', name: 'VirtualMachine1', hold: false });
    expect(
      replyOf(s.send({ type: 'beginMigration', replyTo: 'h', name: 'VirtualMachine1', to: 'HVR2NODO1' }))
        ?.reply,
    ).toMatchObject({ ok: true });
  });

  it('pauses only once the write under way is settled, so the device state is final', () => {
    const s = sim();
    running(s);
    s.advance(INTERVAL);
    const pausing = s.send({ type: 'pause', replyTo: 'p', name: 'VirtualMachine1' });
    expect(kinds(pausing)).toEqual(['unlisten', 'cancelTimer', 'cancelTimer']);
    expect(s.state.vms.VirtualMachine1?.run.state).toBe('Pausing');
    const paused = s.send({ type: 'writeDone', name: 'VirtualMachine1', seq: 1, outcome: { ok: true } });
    expect(replyOf(paused)).toMatchObject({
      replyTo: 'p',
      reply: { ok: true, vm: { run: { state: 'Paused' } } },
    });
    expect(s.advance(1000)).toEqual([]);
    const vm = s.state.vms.VirtualMachine1;
    expect(vm && deviceStateOf(vm, s.now)).toMatchObject({
      nextSeq: 2,
      acked: [{ first: 1, last: 1 }],
      // Its uptime counts from its start, as Hyper-V's does: the guest's boot and then the write.
      uptimeMs: BOOT + INTERVAL,
      bootLeftMs: 0,
    });
  });

  it('resumes the VM on the source when the migration fails, unless its fate is unknown', () => {
    const s = sim();
    running(s);
    s.send({ type: 'beginMigration', replyTo: 'a', name: 'VirtualMachine1', to: 'HVR2NODO1' });
    s.send({ type: 'pause', replyTo: 'b', name: 'VirtualMachine1' });
    // Paused for the migration, the cluster still sees it Running; held after it, Held, and the
    // change is reported though the lifecycle state stays Paused.
    expect(clusterVmState(s.state.vms.VirtualMachine1)).toBe('Running');
    const before = s.state;
    const held = s.send({ type: 'migrationFailed', replyTo: 'c', name: 'VirtualMachine1', hold: true });
    expect(kinds(held)).toEqual(['reply']);
    expect(s.state.vms.VirtualMachine1).toMatchObject({ run: { state: 'Paused' }, migratingTo: null });
    expect(changedVms(before, s.state).map(clusterVmState)).toEqual(['Held']);
    const back = s.send({ type: 'resume', replyTo: 'd', name: 'VirtualMachine1' });
    expect(kinds(back)).toEqual(['listen', 'startTimer', 'startTimer', 'reply']);
    expect(s.state.vms.VirtualMachine1?.run).toEqual({ state: 'Running', epoch: 1, since: 0 });
  });

  it('carries a boot under way across a pause: the guest comes up after the rest of its boot, here or on the target', () => {
    const s = sim();
    s.send({ type: 'start', replyTo: 'r', name: 'VirtualMachine1' });
    s.send({ type: 'memoryReady', name: 'VirtualMachine1', epoch: 1 });
    s.advance(BOOT / 4);
    const paused = s.send({ type: 'pause', replyTo: 'p', name: 'VirtualMachine1' });
    expect(paused).toContainEqual({ type: 'cancelTimer', id: 'boot:VirtualMachine1' });
    s.advance(BOOT);
    const vm = s.state.vms.VirtualMachine1;
    expect(vm && deviceStateOf(vm, s.now)).toMatchObject({ bootLeftMs: (3 * BOOT) / 4 });
    // Resumed here after a failed migration: still booting, up after the rest of its boot.
    const back = s.send({ type: 'migrationFailed', replyTo: 'c', name: 'VirtualMachine1', hold: false });
    expect(kinds(back)).toEqual(['startTimer', 'reply']);
    expect(s.advance((3 * BOOT) / 4 - 1)).toEqual([]);
    expect(kinds(s.advance(1))).toContain('listen');
  });

  it('forgets a VM that migrated away', () => {
    const s = sim();
    running(s);
    expect(
      replyOf(s.send({ type: 'migratedAway', replyTo: 'a', name: 'VirtualMachine1' }))?.reply,
    ).toMatchObject({ code: 'BAD_STATE' });
    s.send({ type: 'pause', replyTo: 'b', name: 'VirtualMachine1' });
    expect(kinds(s.send({ type: 'migratedAway', replyTo: 'c', name: 'VirtualMachine1' }))).toEqual([
      'forget',
      'log',
      'reply',
    ]);
    expect(s.state.vms.VirtualMachine1).toBeUndefined();
  });

  it('builds a skeleton VM for an incoming migration and resumes it with the carried device state', () => {
    const s = sim();
    s.advance(50_000);
    const incoming = { ...vm1, name: 'Arriving', node: 'HVR2NODO1', diskOffsetBytes: 128 * MIB };
    const created = s.send({ type: 'incoming', replyTo: 'a', spec: incoming, from: 'HVR2NODO1' });
    expect(created[0]).toEqual({ type: 'allocIncoming', vm: 'Arriving', memoryMiB: 512 });
    expect(s.state.vms.Arriving?.run).toEqual({
      state: 'Incoming',
      epoch: 1,
      from: 'HVR2NODO1',
      since: 50_000,
    });
    expect(
      replyOf(
        s.send({ type: 'incoming', replyTo: 'b', spec: { ...incoming, name: 'Second' }, from: 'HVR2NODO1' }),
      )?.reply,
    ).toMatchObject({
      code: 'BAD_STATE',
    });
    const device = {
      enabled: true,
      intervalMs: INTERVAL,
      nextSeq: 42,
      acked: [{ first: 1, last: 41 }],
      failedWrites: 1,
      unknownWrites: 2,
      lastError: 'x',
      dirtyPagesPerSec: 256,
      uptimeMs: 7000,
      bootLeftMs: 0,
    };
    s.send({ type: 'incomingResume', replyTo: 'c', name: 'Arriving', device });
    expect(s.state.vms.Arriving?.run).toEqual({ state: 'Running', epoch: 1, since: 43_000 });
    expect(s.state.vms.Arriving?.workload).toMatchObject({
      nextSeq: 42,
      acked: [{ first: 1, last: 41 }],
      failedWrites: 1,
    });
    const w = s.advance(INTERVAL).find((e) => e.type === 'writeRecord');
    expect(w).toMatchObject({ seq: 42 });
  });

  it('refuses an incoming VM that already runs here, and drops an abandoned skeleton', () => {
    const s = sim();
    running(s);
    expect(
      replyOf(s.send({ type: 'incoming', replyTo: 'a', spec: vm1, from: 'HVR2NODO1' }))?.reply,
    ).toMatchObject({
      code: 'BAD_STATE',
      message: 'VM VirtualMachine1 is already Running on HVR2NODO2',
    });
    s.send({ type: 'incoming', replyTo: 'b', spec: { ...vm1, name: 'Skel' }, from: 'HVR2NODO1' });
    expect(kinds(s.send({ type: 'incomingAbort', replyTo: 'c', name: 'Skel' }))).toEqual([
      'forget',
      'log',
      'reply',
    ]);
    expect(s.state.vms.Skel).toBeUndefined();
    // Aborting leaves a VM that is not a skeleton alone.
    expect(kinds(s.send({ type: 'incomingAbort', replyTo: 'd', name: 'VirtualMachine1' }))).toEqual([
      'reply',
    ]);
    expect(s.state.vms.VirtualMachine1?.run.state).toBe('Running');
  });
});
