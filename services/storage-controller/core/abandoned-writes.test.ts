/**
 * Abandoned write tasks (block-io.ts `abort`): a write attempt its initiator gave up on, still on
 * its way through a slow path, must not land over what the initiator wrote since.
 */
import { describe, expect, it } from 'vitest';
import { ABORTED_TASKS_MAX, type StorageMsg } from './model.js';
import { block, controller, errorCode, N1P3, N1P4, write } from './test-support.js';

const tasked =
  (port: typeof N1P3, offset: number, byte: number, id: string, abandoned: string[] = []) =>
  (reqId: number) =>
    ({ ...write(port, offset, block(byte))(reqId), task: { id, abandoned } }) as StorageMsg;

describe('storage controller core: abandoned write tasks', () => {
  it('refuses an attempt that arrives after a write that named it abandoned, and writes nothing for it', () => {
    const { sim, ask } = controller();
    // The retry, through the other path, names the first attempt abandoned.
    expect(ask(tasked(N1P4, 0, 2, 'n1/io-2#1', ['n1/io-1#1']))).toBeUndefined();
    const effects = sim.send(tasked(N1P3, 0, 1, 'n1/io-1#1')(900));
    expect(effects.map((e) => e.type)).toEqual(['reply']);
    const reply = effects[0] as { outcome: { ok: boolean; code?: string; message?: string } };
    expect(reply.outcome).toMatchObject({ ok: false, code: 'ABORTED' });
    expect(reply.outcome.message).toMatch(/n1\/io-1#1 arrived after its initiator had abandoned it/);
  });

  it('executes an attempt that arrives before it is named abandoned, and writes without a task as before', () => {
    const { sim } = controller();
    expect(sim.send(tasked(N1P3, 0, 1, 'n1/io-1#1')(1)).map((e) => e.type)).toEqual(['writeBlocks']);
    expect(sim.send(tasked(N1P4, 0, 2, 'n1/io-2#1', ['n1/io-1#1'])(2)).map((e) => e.type)).toEqual([
      'writeBlocks',
    ]);
    expect(sim.send(write(N1P3, 512, block(3))(3)).map((e) => e.type)).toEqual(['writeBlocks']);
    // Another task of the same initiator is not refused.
    expect(sim.send(tasked(N1P3, 1024, 4, 'n1/io-3#1')(4)).map((e) => e.type)).toEqual(['writeBlocks']);
  });

  it('forgets the oldest abandoned tasks past its limit', () => {
    const { sim, ask } = controller();
    ask(tasked(N1P4, 0, 2, 'n1/io-9#1', ['n1/io-1#1']));
    const many = Array.from({ length: ABORTED_TASKS_MAX }, (_, i) => `n1/io-${100 + i}#1`);
    ask(tasked(N1P4, 0, 2, 'n1/io-99#1', many));
    expect(Object.keys(sim.state.aborted)).toHaveLength(ABORTED_TASKS_MAX);
    expect(sim.state.abortedOrder).toHaveLength(ABORTED_TASKS_MAX);
    expect(errorCode(ask(tasked(N1P3, 0, 1, 'n1/io-100#1')))).toBe('ABORTED');
    expect(sim.send(tasked(N1P3, 0, 1, 'n1/io-1#1')(5)).map((e) => e.type)).toEqual(['writeBlocks']);
  });
});
