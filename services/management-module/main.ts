/**
 * management-module: the BladeCenter S Advanced Management Module (docs/domain.md §BladeCenter S). It keeps the
 * chassis inventory, shows module health from the heartbeats every service publishes, powers
 * blades and I/O modules through the orchestrator's backplane and keeps an event log, all
 * served as dcbox.chassis.v1.ManagementModule — and to the tools of real datacenters as the AMM
 * CLI over telnet and as Redfish over HTTP(S) (docs/domain.md §BladeCenter S, §Redfish; ports in endpoints.ts). This
 * file only wires the core to its adapters.
 *
 * Files: core.ts (chassis inventory, health, power control and event log, pure), amm-cli.ts (the
 * AMM command line, pure), endpoints.ts (protocol ports and credentials, pure), interpreter.ts (the core's
 * effects on the backplane and the blades' OS shutdown, adapter), grpc-api.ts (the ManagementModule gRPC API, adapter),
 * metrics.ts (Prometheus metrics, adapter), telnet.ts (the AMM CLI over telnet, adapter),
 * redfish.ts (the Redfish router and sessions, pure but for its injected power and
 * clock), redfish-resources.ts (Redfish resource bodies, pure), redfish-errors.ts (Redfish error
 * responses, pure), redfish-server.ts (Redfish over HTTP(S), adapter), this file (process wiring).
 */
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { Actor } from '../actor/actor.js';
import { DcboxError } from '../actor/errors.js';
import { PendingReplies } from '../actor/pending.js';
import type { MmSettings } from '../process/config.js';
import { type ServiceContext, serviceMain } from '../process/service.js';
import { protos } from '../transport/grpc.js';
import { decodeJson } from '../transport/nats.js';
import { subjects } from '../transport/subjects.js';
import type { PowerRequest } from './amm-cli.js';
import {
  type ChassisEffect,
  type ChassisMsg,
  type ChassisState,
  decideChassis,
  initialState,
  viewChassis,
} from './core.js';
import {
  LOGIN_FAIL_DELAY_MS,
  protocolEndpoints,
  redfishCertificatePath,
  SESSION_TIMEOUT_S,
  usesDefaultCredentials,
} from './endpoints.js';
import { managementModuleHandlers } from './grpc-api.js';
import { backplaneClient, makeInterpreter, type PowerAnswer } from './interpreter.js';
import { mmMetrics } from './metrics.js';
import { RedfishService } from './redfish.js';
import { selfSignedCertificate, startRedfishServer } from './redfish-server.js';
import { startTelnetServer } from './telnet.js';

/** The chassis core in its actor. */
type ChassisActor = Actor<ChassisState, ChassisMsg, ChassisEffect>;

serviceMain<MmSettings>({
  async setup(ctx) {
    const { cfg, log, metrics, clock, onStop } = ctx;
    const backplane = backplaneClient(cfg.backplane);
    const pending = new PendingReplies<PowerAnswer>();
    const actor: ChassisActor = new Actor({
      self: cfg.host,
      initial: initialState(cfg.settings, {
        silenceMs: cfg.timing.moduleSilenceMs,
        tickMs: cfg.timing.moduleHeartbeatMs,
        now: clock.now(),
        softOffTimeoutMs:
          cfg.settings.softOffTimeoutS === undefined ? undefined : cfg.settings.softOffTimeoutS * 1000,
      }),
      decide: decideChassis,
      interpret: makeInterpreter(backplane, pending, log, cfg.hosts, (subject, data) =>
        ctx.nc.publish(subject, data),
      ),
      clock,
      seed: cfg.seed,
      onError: (err, msg) => log('error', 'decide failed', { msg: msg.type, error: String(err) }),
    });
    const heartbeats = forwardHeartbeats(ctx, actor);
    actor.send({ type: 'start' });
    mmMetrics(metrics, {
      chassis: () => viewChassis(actor.state, clock.now()),
      loginFailures: () => actor.state.loginFailures,
    });
    const remote = await serveRemoteAccess(ctx, actor, pending);

    onStop(() => {
      remote.close();
      heartbeats.unsubscribe();
      actor.stop();
      pending.rejectAll(new DcboxError('UNAVAILABLE', 'the management module is stopping'));
      backplane.close();
    });
    return [
      {
        definition: protos().dcbox.chassis.v1.ManagementModule.service,
        name: 'dcbox.chassis.v1.ManagementModule',
        impl: managementModuleHandlers(actor, pending, clock, {
          credentials: cfg.settings.credentials,
          refused: (user, peer, method) => {
            actor.send({ type: 'remoteLogin', user, via: 'grpc', ok: false });
            log('warn', 'refused a gRPC call: wrong or missing chassis account', { user, peer, method });
          },
          failDelayMs: cfg.settings.loginFailDelayMs ?? LOGIN_FAIL_DELAY_MS,
        }),
      },
    ];
  },
});

/** Hands every module heartbeat on NATS to the core; returns the subscription. */
function forwardHeartbeats({ nc, log }: ServiceContext<MmSettings>, actor: ChassisActor) {
  return nc.subscribe(subjects.chassisHeartbeatAll, {
    callback: (err, msg) => {
      if (err) return;
      try {
        const hb = decodeJson<{ host?: unknown }>(msg.data);
        if (typeof hb.host === 'string') actor.send({ type: 'heartbeat', host: hb.host });
      } catch (e) {
        log('debug', 'dropped a heartbeat', { subject: msg.subject, error: String(e) });
      }
    },
  });
}

/** Serves the AMM CLI over telnet and Redfish over HTTP(S); returns how to close both. */
async function serveRemoteAccess(
  { cfg, log, clock }: ServiceContext<MmSettings>,
  actor: ChassisActor,
  pending: PendingReplies<PowerAnswer>,
): Promise<{ close(): void }> {
  // Telnet and Redfish power a bay exactly as the gRPC Power does: through the core.
  const power = async (req: PowerRequest): Promise<void> => {
    const { reqId, answer } = pending.open();
    actor.send({ type: 'power', reqId, kind: req.kind, bay: req.bay, action: req.action });
    await answer;
  };
  const settings = cfg.settings;
  const login = (user: string, ok: boolean, via: 'telnet' | 'redfish') =>
    actor.send({ type: 'remoteLogin', user, via, ok });
  const loginFailDelayMs = settings.loginFailDelayMs ?? LOGIN_FAIL_DELAY_MS;
  const ends = protocolEndpoints(cfg, settings);
  const telnet = await startTelnetServer(ends.telnet.address, ends.telnet.port, {
    context: () => ({
      chassis: viewChassis(actor.state, clock.now()),
      log: actor.state.log,
      credentials: settings.credentials,
    }),
    power,
    login: (user, ok) => login(user, ok, 'telnet'),
    loginFailDelayMs,
    log,
  });
  const redfish = new RedfishService({
    chassis: () => viewChassis(actor.state, clock.now()),
    credentials: settings.credentials,
    power,
    login: (user, ok) => login(user, ok, 'redfish'),
    now: () => clock.now(),
    newToken: () => randomBytes(24).toString('hex'),
    delay: (ms) => new Promise((r) => setTimeout(r, ms)),
    loginFailDelayMs,
    sessionTimeoutS: settings.sessionTimeoutS ?? SESSION_TIMEOUT_S,
  });
  const tls = ends.redfish.tls
    ? selfSignedCertificate(dirname(redfishCertificatePath(cfg.dataDir)), cfg.address)
    : undefined;
  const http = await startRedfishServer(redfish, ends.redfish.address, ends.redfish.port, log, tls);
  log('info', 'AMM CLI and Redfish listening', {
    telnet: `${ends.telnet.address}:${ends.telnet.port}`,
    redfish: `${tls ? 'https' : 'http'}://${ends.redfish.address}:${ends.redfish.port}/redfish/v1/`,
    ...(tls ? { certificate: redfishCertificatePath(cfg.dataDir) } : {}),
  });
  if (usesDefaultCredentials(settings.credentials))
    log(
      'warn',
      'the factory default account USERID / PASSW0RD is in use; set chassis.managementModule.credentials',
    );
  return {
    close: () => {
      telnet.close();
      http.close();
      http.closeAllConnections();
    },
  };
}
