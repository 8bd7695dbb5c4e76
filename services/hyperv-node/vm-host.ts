/**
 * The VM adapter: runs the VM core (vm.ts) in an actor and carries out its effects — guest
 * memory as real Buffers, saved state as files under cfg.dataDir, each Running VM's address
 * as a NATS subscription that answers echo requests, and workload records written through MPIO.
 */
import { mkdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Actor } from '../actor/actor.js';
import { systemClock } from '../actor/clock.js';
import type { NodeSettings, ServiceConfig } from '../actor/config.js';
import { DcboxError, ERROR_CODES } from '../actor/errors.js';
import type { Logger } from '../actor/log.js';
import { encodeJson, type NatsConnection } from '../actor/nats.js';
import { subjects } from '../actor/subjects.js';
import type { Multipath } from './multipath.js';
import { encodeRecord, RECORD_SIZE } from './record.js';
import { decideVm, initialVms, type VmEffect, type VmEntry, type VmManagerState, type VmMsg } from './vm.js';

const MIB = 1024 * 1024;

type Subscription = ReturnType<NatsConnection['subscribe']>;

/** The VMs of one node, running inside its process as a real host runs worker processes. */
export class VmHost {
  readonly actor: Actor<VmManagerState, VmMsg, VmEffect>;
  private readonly memory = new Map<string, Buffer>();
  private readonly listeners = new Map<string, Subscription>();
  private readonly waiting = new Map<string, (vm: VmEntry) => void>();
  private readonly failing = new Map<string, (err: DcboxError) => void>();
  private readonly stateDir: string;
  private nextReply = 1;

  constructor(
    private readonly cfg: ServiceConfig<NodeSettings>,
    private readonly nc: NatsConnection,
    private readonly disks: Multipath,
    private readonly log: Logger,
  ) {
    const s = cfg.settings;
    this.stateDir = join(cfg.dataDir, 'vms');
    mkdirSync(this.stateDir, { recursive: true });
    this.actor = new Actor<VmManagerState, VmMsg, VmEffect>({
      self: cfg.host,
      initial: initialVms({
        host: cfg.host,
        nodeId: s.nodeId,
        switches: s.virtualSwitches,
        luns: s.luns,
        vms: s.vms,
        bootMs: cfg.timing.vmBootMs,
        writeIntervalMs: cfg.timing.vmWriteIntervalMs,
      }),
      decide: decideVm,
      interpret: (effect) => this.interpret(effect),
      clock: systemClock,
      seed: cfg.seed,
    });
  }

  /** Sends a request to the VM core and waits for its reply; a refusal is thrown as DcboxError. */
  ask(build: (replyTo: string) => VmMsg): Promise<VmEntry> {
    const replyTo = `r-${this.nextReply++}`;
    return new Promise<VmEntry>((resolve, reject) => {
      this.waiting.set(replyTo, resolve);
      this.failing.set(replyTo, reject);
      this.actor.send(build(replyTo));
    });
  }

  /** Stops every VM's activity: the process is going away, as when the blade loses power. */
  stop(): void {
    this.actor.stop();
    for (const sub of this.listeners.values()) sub.unsubscribe();
    this.listeners.clear();
    this.memory.clear();
  }

  private interpret(effect: VmEffect): void {
    switch (effect.type) {
      case 'reply': {
        const resolve = this.waiting.get(effect.replyTo);
        const reject = this.failing.get(effect.replyTo);
        this.waiting.delete(effect.replyTo);
        this.failing.delete(effect.replyTo);
        if (effect.reply.ok) resolve?.(effect.reply.vm);
        else reject?.(new DcboxError(effect.reply.code, effect.reply.message));
        return;
      }
      case 'allocMemory':
        void this.allocate(effect.vm, effect.memoryMiB, effect.restore).then(
          () => this.actor.send({ type: 'memoryReady', name: effect.vm, epoch: effect.epoch }),
          (err: Error) =>
            this.actor.send({
              type: 'memoryFailed',
              name: effect.vm,
              epoch: effect.epoch,
              error: err.message,
            }),
        );
        return;
      case 'freeMemory':
        this.memory.delete(effect.vm);
        return;
      case 'saveMemory': {
        const buf = this.memory.get(effect.vm);
        const done = buf
          ? writeFile(this.savedStateFile(effect.vm), buf)
          : Promise.reject(new Error('no memory to save'));
        void done.then(
          () => this.actor.send({ type: 'saved', name: effect.vm, epoch: effect.epoch }),
          (err: Error) =>
            this.actor.send({ type: 'saveFailed', name: effect.vm, epoch: effect.epoch, error: err.message }),
        );
        return;
      }
      case 'listen':
        this.listen(effect.vm);
        return;
      case 'unlisten':
        this.listeners.get(effect.vm)?.unsubscribe();
        this.listeners.delete(effect.vm);
        return;
      case 'writeRecord':
        void this.write(effect);
        return;
      case 'log':
        this.log(effect.level, effect.msg, effect.fields);
        return;
    }
  }

  /** The VM's saved state (its memory) lives in a file, as Hyper-V keeps a .vsv/.bin pair. */
  private savedStateFile(vm: string): string {
    return join(this.stateDir, `${vm}.bin`);
  }

  private async allocate(vm: string, memoryMiB: number, restore: boolean): Promise<void> {
    const buf = Buffer.alloc(memoryMiB * MIB);
    if (restore) {
      const saved = await readFile(this.savedStateFile(vm));
      saved.copy(buf, 0, 0, Math.min(saved.length, buf.length));
    }
    this.memory.set(vm, buf);
  }

  /** A Running VM's address: answers echo requests with who is hosting it. */
  private listen(vm: string): void {
    if (this.listeners.has(vm)) return;
    const sub = this.nc.subscribe(subjects.vmEcho(vm), {
      callback: (_err, msg) => {
        msg.respond(encodeJson({ vm, host: this.cfg.host }));
      },
    });
    this.listeners.set(vm, sub);
  }

  private async write(effect: Extract<VmEffect, { type: 'writeRecord' }>): Promise<void> {
    const block = encodeRecord({ vm: effect.vm, seq: effect.seq, timeMs: effect.timeMs });
    // The guest dirties its memory as it works: the record also lands in a page of its RAM, so
    // saved state (and later migration) carries real, changing contents.
    const mem = this.memory.get(effect.vm);
    if (mem && mem.length >= RECORD_SIZE)
      block.copy(mem, (effect.seq % Math.floor(mem.length / RECORD_SIZE)) * RECORD_SIZE);
    const r = await this.disks.io(effect.lun, { kind: 'write', offset: effect.offset, data: block });
    const outcome = r.ok
      ? ({ ok: true } as const)
      : { ok: false as const, definite: ERROR_CODES[r.code].definite, code: r.code, message: r.message };
    this.actor.send({ type: 'writeDone', name: effect.vm, seq: effect.seq, outcome });
  }
}
