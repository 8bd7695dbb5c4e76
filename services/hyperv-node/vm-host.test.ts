/**
 * VmHost as the cluster drives it, with its edges doubled: a recording NATS connection and an
 * in-memory block device. Real timers (short boot and write intervals), no network.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { VmSpec } from '../process/config.js';
import { pollUntil } from '../process/poll-until.js';
import { subjects } from '../transport/subjects.js';
import { FakeNats, MemoryDisk, nodeConfig, ROLE1 } from './test-support.js';
import { guestUp } from './vm/model.js';
import { VmHost, type VmHostOptions } from './vm-host.js';

const spec: VmSpec = ROLE1;
const hosts: VmHost[] = [];
function host(opts: VmHostOptions = {}) {
  const nats = new FakeNats();
  const disk = new MemoryDisk();
  const h = new VmHost(
    nodeConfig('HVR2NODO2', 2, [{ name: 'HVR2NODO2', port: 0 }]),
    nats.asNats,
    disk,
    () => undefined,
    opts,
  );
  hosts.push(h);
  return { h, nats, disk };
}
afterEach(() => {
  for (const h of hosts.splice(0)) h.stop();
});

describe('VmHost for the cluster', () => {
  it('runs a defined VM, reporting each lifecycle change, and answers echo only while the gate is open', async () => {
    const { h, nats } = host();
    const changes: string[] = [];
    h.onChange((vm) => changes.push(vm.run.state));
    await h.defineVm(spec);
    await h.start('Role1');
    await pollUntil(() => guestUp(h.get('Role1')), {
      what: 'Role1 running, its guest up',
      timeoutMs: 5000,
      intervalMs: 5,
    });
    expect(changes).toEqual(['Off', 'Starting', 'Running']);
    expect(nats.echo(subjects.vmEcho('Role1'))).toMatchObject({ vm: 'Role1', host: 'HVR2NODO2' });
    let leased = false;
    h.setEchoGate(() => leased);
    expect(nats.echo(subjects.vmEcho('Role1'))).toBeNull();
    leased = true;
    expect(nats.echo(subjects.vmEcho('Role1'))).toMatchObject({ vm: 'Role1', host: 'HVR2NODO2' });
    await h.turnOff('Role1');
    expect(changes.at(-1)).toBe('Off');
    expect(nats.echo(subjects.vmEcho('Role1'))).toBeNull();
    await h.removeVm('Role1');
    await h.removeVm('Role1');
    expect(h.list()).toEqual([]);
  });

  it('says in each echo answer when it answered, on its own clock', async () => {
    // A clock a day ahead of the machine's: the stamp is the host's reading, not the caller's.
    const dayMs = 86_400_000;
    const { h, nats } = host({ clock: { now: () => Date.now() + dayMs } });
    await h.defineVm(spec);
    await h.start('Role1');
    await pollUntil(() => guestUp(h.get('Role1')), {
      what: 'Role1 running, its guest up',
      timeoutMs: 5000,
      intervalMs: 5,
    });
    const before = Date.now() + dayMs;
    const answer = nats.echo(subjects.vmEcho('Role1'));
    expect(answer?.answeredAt).toBeGreaterThanOrEqual(before);
    expect(answer?.answeredAt).toBeLessThanOrEqual(Date.now() + dayMs);
  });

  it('marks the pages its guest writes dirty: the records and the dirtying batches change real bytes', async () => {
    const { h } = host();
    await h.defineVm({ ...spec, dirtyPagesPerSec: 2000 });
    await h.start('Role1');
    await pollUntil(() => guestUp(h.get('Role1')), {
      what: 'Role1 running, its guest up',
      timeoutMs: 5000,
      intervalMs: 5,
    });
    const first = h.memoryDigest('Role1');
    await pollUntil(() => (h.get('Role1')?.workload.nextSeq ?? 0) > 5, {
      what: 'more than five writes',
      timeoutMs: 5000,
      intervalMs: 5,
    });
    expect(h.memoryDigest('Role1')).not.toBe(first);
  });

  it('tells the cluster once when the disk refuses the VM for a reservation conflict, and keeps it Running', async () => {
    const { h, disk } = host();
    const faults: string[] = [];
    h.onFault((name, reason) => faults.push(`${name}: ${reason}`));
    await h.defineVm(spec);
    await h.start('Role1');
    await pollUntil(() => guestUp(h.get('Role1')), {
      what: 'Role1 running, its guest up',
      timeoutMs: 5000,
      intervalMs: 5,
    });
    disk.failWith = 'RESERVATION_CONFLICT';
    await pollUntil(() => (h.get('Role1')?.workload.failedWrites ?? 0) >= 3, {
      what: 'three failed writes',
      timeoutMs: 5000,
      intervalMs: 5,
    });
    expect(faults).toEqual(['Role1: RESERVATION_CONFLICT: injected by the test']);
    expect(h.get('Role1')?.run.state).toBe('Running');
  });

  it('refuses to remove a running VM and to define a different one over it', async () => {
    const { h } = host();
    await h.defineVm(spec);
    await h.start('Role1');
    await expect(h.removeVm('Role1')).rejects.toMatchObject({ code: 'BAD_STATE' });
    await expect(h.defineVm({ ...spec, memoryMiB: 8 })).rejects.toMatchObject({ code: 'BAD_STATE' });
    // The same definition again is accepted and leaves the VM running; its boot (a timer of the
    // real clock) may have finished meanwhile on a loaded machine, so Starting or Running.
    const again = await h.defineVm(spec);
    expect(['Starting', 'Running']).toContain(again.run.state);
  });
});
