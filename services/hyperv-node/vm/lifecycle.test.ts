import { describe, expect, it } from 'vitest';
import { BOOT, INTERVAL, kinds, replyOf, running, sim } from './test-support.js';

describe('VM lifecycle', () => {
  it('starts Off → Starting → Running once memory is there, the guest up once the boot time has passed', () => {
    const s = sim();
    const started = s.send({ type: 'start', replyTo: 'r', name: 'VirtualMachine1' });
    expect(started[0]).toEqual({
      type: 'allocMemory',
      vm: 'VirtualMachine1',
      epoch: 1,
      memoryMiB: 512,
      restore: false,
    });
    // A cold boot's time runs while the guest reads its disk's journal (memoryReady).
    expect(started[1]).toEqual({
      type: 'startTimer',
      id: 'boot:VirtualMachine1',
      ms: BOOT,
      msg: { type: 'booted', name: 'VirtualMachine1', epoch: 1 },
    });
    expect(replyOf(started)?.reply).toMatchObject({ ok: true, vm: { run: { state: 'Starting' } } });
    // Running (Hyper-V's Enabled, the role's resource Online) with its guest still booting: it
    // neither answers nor writes yet.
    expect(kinds(s.send({ type: 'memoryReady', name: 'VirtualMachine1', epoch: 1 }))).toEqual(['log']);
    expect(s.state.vms.VirtualMachine1?.run).toEqual({ state: 'Running', epoch: 1, since: 0, bootsAt: BOOT });
    expect(s.advance(BOOT - 1)).toEqual([]);
    const up = s.advance(1);
    expect(kinds(up)).toEqual(['log', 'listen', 'startTimer', 'startTimer']);
    expect(s.state.vms.VirtualMachine1?.run).toEqual({ state: 'Running', epoch: 1, since: 0 });
  });

  it('turns off or saves a VM whose guest is booting: its boot ends there, nothing of it answers later', () => {
    for (const op of ['stop', 'save'] as const) {
      const s = sim();
      s.send({ type: 'start', replyTo: 'r', name: 'VirtualMachine1' });
      s.send({ type: 'memoryReady', name: 'VirtualMachine1', epoch: 1 });
      const out = s.send({ type: op, replyTo: 'x', name: 'VirtualMachine1' });
      expect(out).toContainEqual({ type: 'cancelTimer', id: 'boot:VirtualMachine1' });
      expect(kinds(s.advance(BOOT))).not.toContain('listen');
    }
  });

  it('runs a cold-booted guest only once its disk is read, however long that takes past the boot time', () => {
    const s = sim();
    s.send({ type: 'start', replyTo: 'r', name: 'VirtualMachine1' });
    expect(s.advance(BOOT + 500)).toEqual([]);
    expect(s.state.vms.VirtualMachine1?.run).toMatchObject({
      state: 'Starting',
      bootDone: true,
      memoryReady: false,
    });
    const up = s.send({ type: 'memoryReady', name: 'VirtualMachine1', epoch: 1, lastSeq: 41 });
    expect(kinds(up)).toEqual(['log', 'listen', 'startTimer', 'startTimer']);
    expect(s.state.vms.VirtualMachine1?.run).toEqual({ state: 'Running', epoch: 1, since: BOOT + 500 });
    // The journal carries on after the newest record found on the disk.
    expect(s.state.vms.VirtualMachine1?.workload.nextSeq).toBe(42);
  });

  it('refuses to start a Running VM and to act on an unknown one', () => {
    const s = sim();
    running(s);
    expect(replyOf(s.send({ type: 'start', replyTo: 'x', name: 'VirtualMachine1' }))?.reply).toEqual({
      ok: false,
      code: 'BAD_STATE',
      message: 'cannot start VM VirtualMachine1: it is Running',
    });
    expect(replyOf(s.send({ type: 'stop', replyTo: 'x', name: 'Nope' }))?.reply).toEqual({
      ok: false,
      code: 'NOT_FOUND',
      message: 'no VM named Nope on HVR2NODO2',
    });
    expect(replyOf(s.send({ type: 'save', replyTo: 'x', name: 'VirtualMachine1' }))?.reply).toMatchObject({
      ok: true,
    });
    expect(replyOf(s.send({ type: 'save', replyTo: 'y', name: 'VirtualMachine1' }))?.reply).toMatchObject({
      code: 'BAD_STATE',
    });
  });

  it('turns a Running VM off: it stops answering, writing, and gives its memory back', () => {
    const s = sim();
    running(s);
    const off = s.send({ type: 'stop', replyTo: 'r', name: 'VirtualMachine1' });
    expect(off.slice(0, 3)).toEqual([
      { type: 'unlisten', vm: 'VirtualMachine1' },
      { type: 'cancelTimer', id: 'tick:VirtualMachine1' },
      { type: 'freeMemory', vm: 'VirtualMachine1' },
    ]);
    expect(s.state.vms.VirtualMachine1?.run).toEqual({ state: 'Off' });
    expect(s.pendingTimers()).toEqual([]);
  });

  it('saves a Running VM to a file and restores its memory from it at the next start', () => {
    const s = sim();
    running(s);
    const saving = s.send({ type: 'save', replyTo: 'r', name: 'VirtualMachine1' });
    expect(kinds(saving)).toEqual(['unlisten', 'cancelTimer', 'saveMemory', 'cancelTimer', 'reply']);
    expect(s.state.vms.VirtualMachine1?.run.state).toBe('Saving');
    expect(s.send({ type: 'saved', name: 'VirtualMachine1', epoch: 1 })).toEqual([
      { type: 'freeMemory', vm: 'VirtualMachine1' },
    ]);
    expect(s.state.vms.VirtualMachine1?.run.state).toBe('Saved');
    const again = s.send({ type: 'start', replyTo: 'r2', name: 'VirtualMachine1' });
    expect(again[0]).toEqual({
      type: 'allocMemory',
      vm: 'VirtualMachine1',
      epoch: 2,
      memoryMiB: 512,
      restore: true,
    });
  });

  it('ignores a late answer meant for an earlier start of the VM', () => {
    const s = sim();
    s.send({ type: 'start', replyTo: 'r', name: 'VirtualMachine1' });
    s.send({ type: 'stop', replyTo: 'r', name: 'VirtualMachine1' });
    s.send({ type: 'start', replyTo: 'r', name: 'VirtualMachine1' });
    expect(s.send({ type: 'memoryReady', name: 'VirtualMachine1', epoch: 1 })).toEqual([]);
    expect(s.state.vms.VirtualMachine1?.run).toMatchObject({
      state: 'Starting',
      epoch: 2,
      memoryReady: false,
    });
  });

  it('keeps the saved state when restoring it fails', () => {
    const s = sim();
    running(s);
    s.send({ type: 'save', replyTo: 'r', name: 'VirtualMachine1' });
    s.send({ type: 'saved', name: 'VirtualMachine1', epoch: 1 });
    s.send({ type: 'start', replyTo: 'r', name: 'VirtualMachine1' });
    s.send({ type: 'memoryFailed', name: 'VirtualMachine1', epoch: 2, error: 'ENOENT' });
    expect(s.state.vms.VirtualMachine1?.run.state).toBe('Saved');
  });
});

describe('cold boot after a failover', () => {
  it('carries the disk journal on after the newest record found on the disk', () => {
    const s = sim();
    s.send({ type: 'start', replyTo: 'r', name: 'VirtualMachine1' });
    s.send({ type: 'memoryReady', name: 'VirtualMachine1', epoch: 1, lastSeq: 41 });
    s.advance(BOOT);
    expect(s.state.vms.VirtualMachine1?.workload.nextSeq).toBe(42);
    const writes = s.advance(INTERVAL).filter((e) => e.type === 'writeRecord');
    expect(writes[0]).toMatchObject({ type: 'writeRecord', seq: 42 });
  });
});
