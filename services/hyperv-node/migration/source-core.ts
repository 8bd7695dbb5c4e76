/**
 * The source's end of a migration as a pure core: setup, the copy passes while
 * the VM runs, stop-and-copy, the device state and the resume order, the hand-over, and what
 * becomes of the VM when any step fails. The adapter (source.ts) carries out each effect —
 * streams, the page channel, the VM core's pause — and feeds its result back as a message.
 *
 * The rule that matters most: before the resume order went out the target cannot run the VM,
 * so a failure resumes it here; once the order was sent the target may have resumed it, so the
 * VM is held paused here and the cluster decides (a second copy must never run).
 */
import type { ErrorCode } from '../../actor/errors.js';
import type { MigrationStats__Output as MigrationStats } from '../../generated/dcbox/cluster/v1/MigrationStats.js';
import type { VmSpec } from '../../process/config.js';
import { deviceStateOf } from '../vm/migration-source.js';
import type { DeviceState, VmInstanceState } from '../vm/model.js';
import { PAGE_SIZE } from './dirty-bitmap.js';
import { nextStep, type PassPolicy, type PassResult } from './passes.js';

/**
 * Live: copy while running, then a short pause. Quick: pause first, then save the memory beside
 * the VM on the CSV for the target to restore (2008 R2: save, move, restore; docs/domain.md
 * §Live migration), or copy it once over the stream when the saved state is not shared storage.
 */
export type MigrationKind = 'live' | 'quick';

/** A step of a migration as listeners hear of it; atMs is added by the adapter unless given. */
export interface MigrationPhase {
  vm: string;
  phase: 'setup' | 'pass' | 'stop-and-copy' | 'resumed' | 'completed' | 'failed';
  pass?: number;
  bytes?: number;
  atMs?: number;
  error?: string;
}

/** Where the source's procedure is. */
export interface MigrationSourceState {
  phase: 'connecting' | 'setup' | 'copying' | 'pausing' | 'final' | 'device' | 'resume' | 'handoff' | 'over';
  vm: string;
  /** The run of the VM being migrated: a VM restarted meanwhile is not this one. */
  epoch: number;
  spec: VmSpec;
  dirtyPagesPerSec: number;
  from: string;
  to: string;
  kind: MigrationKind;
  /** Quick migration through the saved state on the CSV rather than pages on the stream. */
  viaSavedState: boolean;
  policy: PassPolicy;
  startedAt: number;
  setupMs: number;
  /** The copy passes done while the VM ran. */
  passes: PassResult[];
  finalBytes: number;
  pausedAt: number;
  resumedAt: number;
  /** The resume order went out: from here on a failure holds the VM paused. */
  resumeSent: boolean;
}

/** What the adapter reports back. */
export type MigrationSourceMsg =
  | { type: 'start' }
  /** The stream (and page channel) are open; the guest's memory is this large. */
  | { type: 'connected'; memoryBytes: number }
  | { type: 'setupSent' }
  | { type: 'paused' }
  /** A copy pass was sent; the guest dirtied dirtyPages since; the VM as the VM core has it now. */
  | {
      type: 'passSent';
      pass: number;
      pages: number;
      bytes: number;
      ms: number;
      dirtyPages: number;
      vm: VmInstanceState | undefined;
    }
  /** The stop-and-copy pass was sent and the page channel ended; the VM as the VM core has it now. */
  | { type: 'finalPassSent'; bytes: number; vm: VmInstanceState | undefined }
  /** The paused VM's memory is saved on the CSV (quick migration); the VM as the VM core has it now. */
  | { type: 'stateSaved'; bytes: number; vm: VmInstanceState | undefined }
  | { type: 'deviceSent' }
  /** The target acknowledged the resume: the VM runs there since resumedAtMs. */
  | { type: 'acked'; resumedAtMs: number }
  | { type: 'handedOff' }
  | { type: 'failed'; code: ErrorCode; message: string; definite: boolean };

/** What the source asks of its adapter. */
export type MigrationSourceEffect =
  /** Open the page channel (when configured) and the stream to the target. */
  | { type: 'connect' }
  | {
      type: 'sendSetup';
      kind: MigrationKind;
      memoryBytes: number;
      spec: VmSpec;
      dirtyPagesPerSec: number;
      viaSavedState: boolean;
    }
  /** Pause the VM in the VM core (it answers once its write under way settled). */
  | { type: 'pause' }
  /** Mark every page dirty: the next pass copies all of memory. */
  | { type: 'markAllDirty' }
  | { type: 'sendPass'; pass: number }
  | { type: 'sendFinalPass'; pass: number }
  /** Save the paused VM's memory beside it on the CSV and end the page channel. */
  | { type: 'saveState' }
  | { type: 'sendDevice'; device: DeviceState }
  /** Send the resume order, end the stream and wait for the target's ack. */
  | { type: 'sendResume' }
  /** Tell the VM core the VM lives on the target now. */
  | { type: 'handOff' }
  /** Cancel the stream and close the page channel. */
  | { type: 'abort' }
  /** Free the node-pair slot: the VM runs on here, or stays paused when `hold`. */
  | { type: 'migrationFailed'; hold: boolean }
  | { type: 'emit'; event: MigrationPhase }
  | { type: 'log'; level: 'info' | 'warn'; msg: string; fields: Record<string, unknown> }
  | { type: 'finish'; stats: MigrationStats }
  | { type: 'reject'; code: ErrorCode; message: string };

/** What the core decides for one message. */
export interface MigrationSourceDecision {
  state: MigrationSourceState;
  effects: MigrationSourceEffect[];
}

/** The source's procedure for a VM whose node-pair slot was taken (beginMigration). */
export function initialMigrationSource(opts: {
  vm: VmInstanceState;
  from: string;
  to: string;
  kind: MigrationKind;
  /** The VM's saved state is on shared storage the target reads (quick migration uses it). */
  savedStateShared?: boolean;
  policy: PassPolicy;
  startedAt: number;
}): MigrationSourceState {
  return {
    phase: 'connecting',
    vm: opts.vm.spec.name,
    epoch: opts.vm.epoch,
    spec: opts.vm.spec,
    dirtyPagesPerSec: opts.vm.workload.dirtyPagesPerSec,
    from: opts.from,
    to: opts.to,
    kind: opts.kind,
    viaSavedState: opts.kind === 'quick' && opts.savedStateShared === true,
    policy: opts.policy,
    startedAt: opts.startedAt,
    setupMs: 0,
    passes: [],
    finalBytes: 0,
    pausedAt: 0,
    resumedAt: 0,
    resumeSent: false,
  };
}

/** The source's procedure: decide one message. */
export function decideMigrationSource(
  state: MigrationSourceState,
  msg: MigrationSourceMsg,
  ctx: { now: number },
): MigrationSourceDecision {
  if (state.phase === 'over') return { state, effects: [] };
  const s = state;
  switch (msg.type) {
    case 'start':
      return { state: { ...s, phase: 'connecting' }, effects: [{ type: 'connect' }] };
    case 'connected':
      return {
        state: { ...s, phase: 'setup' },
        effects: [
          { type: 'emit', event: { vm: s.vm, phase: 'setup' } },
          {
            type: 'sendSetup',
            kind: s.kind,
            memoryBytes: msg.memoryBytes,
            spec: s.spec,
            dirtyPagesPerSec: s.dirtyPagesPerSec,
            viaSavedState: s.viaSavedState,
          },
        ],
      };
    case 'setupSent': {
      const next = { ...s, setupMs: ctx.now - s.startedAt };
      // Quick migration pauses first and copies memory once; live copies while the VM runs.
      if (s.kind === 'quick') return pauseNow(next, ctx);
      return copy(next, 1, [{ type: 'markAllDirty' }]);
    }
    case 'passSent':
      return passSent(s, msg, ctx);
    case 'paused': {
      if (s.viaSavedState) return { state: { ...s, phase: 'final' }, effects: [{ type: 'saveState' }] };
      const pass = s.passes.length + 1;
      const effects: MigrationSourceEffect[] = s.kind === 'quick' ? [{ type: 'markAllDirty' }] : [];
      effects.push({ type: 'sendFinalPass', pass });
      return { state: { ...s, phase: 'final' }, effects };
    }
    case 'finalPassSent':
    case 'stateSaved': {
      if (msg.vm?.run.state !== 'Paused')
        return failed(s, 'BAD_STATE', `VM ${s.vm} is no longer paused`, true);
      const device = deviceStateOf(msg.vm, ctx.now);
      return {
        state: { ...s, phase: 'device', finalBytes: msg.bytes },
        effects: [{ type: 'sendDevice', device }],
      };
    }
    case 'deviceSent':
      return { state: { ...s, phase: 'resume', resumeSent: true }, effects: [{ type: 'sendResume' }] };
    case 'acked':
      return {
        state: { ...s, phase: 'handoff', resumedAt: msg.resumedAtMs },
        effects: [
          { type: 'emit', event: { vm: s.vm, phase: 'resumed', atMs: msg.resumedAtMs } },
          { type: 'handOff' },
        ],
      };
    case 'handedOff':
      return completed(s, ctx);
    case 'failed':
      return failed(s, msg.code, msg.message, msg.definite);
  }
}

/** Pauses the VM for stop-and-copy; the blackout counts from here. */
function pauseNow(s: MigrationSourceState, ctx: { now: number }): MigrationSourceDecision {
  return {
    state: { ...s, phase: 'pausing', pausedAt: ctx.now },
    effects: [
      { type: 'emit', event: { vm: s.vm, phase: 'stop-and-copy', pass: s.passes.length + 1 } },
      { type: 'pause' },
    ],
  };
}

function copy(
  s: MigrationSourceState,
  pass: number,
  before: MigrationSourceEffect[] = [],
): MigrationSourceDecision {
  return { state: { ...s, phase: 'copying' }, effects: [...before, { type: 'sendPass', pass }] };
}

/** After a pass while the VM runs: another pass, or stop-and-copy (passes.ts decides which). */
function passSent(
  s: MigrationSourceState,
  msg: Extract<MigrationSourceMsg, { type: 'passSent' }>,
  ctx: { now: number },
): MigrationSourceDecision {
  const passes = [...s.passes, { pages: msg.pages, bytes: msg.bytes, ms: msg.ms }];
  const next = { ...s, passes };
  const emit: MigrationSourceEffect = {
    type: 'emit',
    event: { vm: s.vm, phase: 'pass', pass: msg.pass, bytes: msg.bytes },
  };
  if (msg.vm?.run.state !== 'Running' || msg.vm.epoch !== s.epoch) {
    const d = failed(next, 'BAD_STATE', `VM ${s.vm} stopped running during its migration`, true);
    return { state: d.state, effects: [emit, ...d.effects] };
  }
  const step = nextStep(passes, msg.dirtyPages, PAGE_SIZE, s.policy);
  const d = step.step === 'pass' ? copy(next, step.pass) : pauseNow(next, ctx);
  return { state: d.state, effects: [emit, ...d.effects] };
}

/** The VM runs on the target and the source forgot it: the stats, and the end. */
function completed(s: MigrationSourceState, ctx: { now: number }): MigrationSourceDecision {
  const passBytes = [...s.passes.map((p) => p.bytes), s.finalBytes];
  const stats: MigrationStats = {
    vm: s.vm,
    from: s.from,
    to: s.to,
    kind: s.kind,
    passes: passBytes.length,
    bytes_copied: passBytes.reduce((a, b) => a + b, 0),
    duration_ms: ctx.now - s.startedAt,
    blackout_ms: Math.max(0, s.resumedAt - s.pausedAt),
    pass_bytes: passBytes,
    paused_at_ms: s.pausedAt,
    resumed_at_ms: s.resumedAt,
  };
  const fields = {
    ...stats,
    pass_bytes: undefined,
    pass_ms: s.passes.map((p) => Math.round(p.ms)),
    setup_ms: s.setupMs,
  };
  return {
    state: { ...s, phase: 'over' },
    effects: [
      { type: 'emit', event: { vm: s.vm, phase: 'completed', bytes: stats.bytes_copied } },
      { type: 'log', level: 'info', msg: 'VM migrated', fields },
      { type: 'finish', stats },
    ],
  };
}

/**
 * A step failed: the stream goes, and the VM runs on here — unless the resume order went out,
 * when it is held paused and the error says so (an unknown outcome, never a definite one).
 */
function failed(
  s: MigrationSourceState,
  code: ErrorCode,
  message: string,
  definite: boolean,
): MigrationSourceDecision {
  const hold = s.resumeSent;
  const held = hold ? ` (${s.vm} is held paused on ${s.from}: the target may be running it)` : '';
  return {
    state: { ...s, phase: 'over' },
    effects: [
      { type: 'abort' },
      { type: 'migrationFailed', hold },
      { type: 'emit', event: { vm: s.vm, phase: 'failed', error: message } },
      {
        type: 'log',
        level: 'warn',
        msg: 'VM migration failed',
        fields: { vm: s.vm, to: s.to, kind: s.kind, error: message, held: hold },
      },
      {
        type: 'reject',
        code: hold && definite ? 'UNAVAILABLE' : code,
        message: `${s.kind} migration of ${s.vm} to ${s.to} failed: ${message}${held}`,
      },
    ],
  };
}
