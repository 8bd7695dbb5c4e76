/**
 * The BladeCenter S management module on a simulated host: the real chassis core
 * (services/management-module/core.ts: the bays, one power operation at a time per bay, the
 * event log) in a simulated actor, driving power through the simulated backplane as
 * interpreter.ts drives the orchestrator's: powering a blade off kills its node's processes and
 * powering it on boots them; an I/O module is pulled and put back the same way. Chaos faults
 * (power-off, rssm-pull) ask it as the chaos runner asks the real one, and are answered once the
 * backplane has done it. Module heartbeats are not simulated (health shows what the backplane
 * reports), and a soft power off (the blade OS's shutdown) is refused: no fault asks for one.
 */
import type { ErrorCode } from '../services/actor/errors.js';
import {
  type BayView,
  type ChassisEffect,
  type ChassisMsg,
  type ChassisState,
  decideChassis,
  initialState,
} from '../services/management-module/core.js';
import type { MmSettings, Timing } from '../services/process/config.js';
import { hostNow, SimActor, type SimWorld } from './actor.js';
import type { SimHost } from './host.js';

/** The backplane: whether a host is powered, and turning it on or off. */
export interface Backplane {
  isOn(host: string): boolean;
  setPower(host: string, on: boolean): void;
  /** Publishes a power change on the chassis's NATS subject (subjects.chassisPower). */
  announce(host: string, on: boolean): void;
}

/** The answer to a power request. */
export type PowerAnswer =
  | { ok: true; bay: BayView; message: string }
  | { ok: false; code: ErrorCode; message: string };

/** The management module. */
export class SimManagementModule {
  readonly actor: SimActor<ChassisState, ChassisMsg, ChassisEffect>;
  private readonly waiting = new Map<string, (a: PowerAnswer) => void>();
  private nextReq = 1;

  constructor(
    world: SimWorld,
    readonly host: SimHost,
    settings: MmSettings,
    timing: Timing,
    private readonly backplane: Backplane,
  ) {
    this.actor = new SimActor(
      world,
      host,
      'mm',
      decideChassis,
      initialState(settings, {
        silenceMs: timing.moduleSilenceMs,
        tickMs: timing.moduleHeartbeatMs,
        now: hostNow(world, host),
        ...(settings.softOffTimeoutS !== undefined
          ? { softOffTimeoutMs: settings.softOffTimeoutS * 1000 }
          : {}),
      }),
      (e) => this.interpret(e),
    );
  }

  /** Starts the module: it reads every bay's power from the backplane (every host built by then). */
  start(): void {
    this.actor.send({ type: 'start' });
  }

  /** A Power request (dcbox.mm.v1.Power): `kind` bay `bay`, on, off or cycle. */
  power(
    kind: 'blade' | 'io',
    bay: number,
    action: 'on' | 'off' | 'cycle',
    done: (a: PowerAnswer) => void,
  ): void {
    const reqId = `p-${this.nextReq++}`;
    this.waiting.set(reqId, done);
    this.actor.send({ type: 'power', reqId, kind, bay, action });
  }

  /** The bay a host sits in, if any. */
  bayOf(host: string): { kind: 'blade' | 'io'; number: number } | undefined {
    const m = this.actor.state.modules.find((x) => x.host === host);
    return m && { kind: m.kind, number: m.number };
  }

  private settle(reqId: string, a: PowerAnswer): void {
    const w = this.waiting.get(reqId);
    this.waiting.delete(reqId);
    w?.(a);
  }

  private interpret(e: ChassisEffect): void {
    switch (e.type) {
      case 'getPower':
        this.actor.send({ type: 'powerRead', host: e.host, on: this.backplane.isOn(e.host) });
        return;
      case 'setPower':
        this.backplane.setPower(e.host, e.on);
        this.actor.send({ type: 'powerSet', reqId: e.reqId, host: e.host, on: e.on });
        return;
      case 'osShutdown':
        this.actor.send({
          type: 'osShutdownFailed',
          reqId: e.reqId,
          host: e.host,
          code: 'UNAVAILABLE',
          error: 'a blade OS shutdown is not simulated',
        });
        return;
      case 'powerChanged':
        this.backplane.announce(e.host, e.on);
        return;
      case 'reply':
        this.settle(e.reqId, { ok: true, bay: e.bay, message: e.message });
        return;
      case 'fail':
        this.settle(e.reqId, { ok: false, code: e.code, message: e.message });
        return;
    }
  }
}
