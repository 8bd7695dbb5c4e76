/**
 * A RAID SAS Switch Module on a simulated host: the real zoning rule (services/rssm/core.ts
 * `admit`, which stamps the initiator's port with the switch's name) and counters (decideRssm),
 * forwarding each block command to the storage controller with the per-hop deadline
 * `ioTimeoutMs`. A refused command never reaches the controller; a controller that does not
 * answer in time is TIMEOUT, one that is down is UNAVAILABLE, as the SAS channel reports them.
 */
import type { DcboxError } from '../services/actor/errors.js';
import { admit, decideRssm, initialRssmState, type RssmMsg, type RssmState } from '../services/rssm/core.js';
import type { Outcome } from '../services/storage-controller/core/decide.js';
import { SimActor, type SimWorld } from './actor.js';
import type { SimHost } from './host.js';
import type { Network } from './network.js';
import { STORAGE_SERVICE, type StorageCommand } from './storage.js';

/** The service name blades send block commands to on an RSSM. */
export const SAS_SERVICE = 'sas';

/** One RSSM: its core and its forwarding. */
export class SimRssm {
  private actor!: SimActor<RssmState, RssmMsg, never>;

  constructor(
    private readonly world: SimWorld,
    readonly host: SimHost,
    private readonly net: Network,
    private readonly opts: { bay: number; zonedHosts: string[]; controller: string; ioTimeoutMs: number },
  ) {
    this.boot();
  }

  /** Powers the switch on: zoning from the topology, counters at zero. */
  boot(): void {
    this.host.start();
    this.actor = new SimActor(
      this.world,
      this.host,
      'rssm',
      decideRssm,
      initialRssmState(this.opts.bay, this.opts.zonedHosts),
      () => {},
    );
    this.host.serve(SAS_SERVICE, (body, _from, reply) => this.forward(body as StorageCommand, reply));
  }

  private forward(cmd: StorageCommand, reply: (o: Outcome) => void): void {
    let stamped: StorageCommand;
    try {
      stamped = { ...cmd, initiator: admit(this.actor.state.zonedHosts, cmd.initiator, this.host.name) };
    } catch (err) {
      this.actor.send({ type: 'refused' });
      const e = err as DcboxError;
      reply({ ok: false, code: e.code, message: e.message });
      return;
    }
    this.net.request(
      this.host.name,
      this.opts.controller,
      STORAGE_SERVICE,
      stamped,
      this.opts.ioTimeoutMs,
      (r) => {
        const outcome: Outcome = r.ok ? (r.body as Outcome) : { ok: false, code: r.code, message: r.message };
        this.actor.send({ type: 'forwarded', ok: outcome.ok });
        reply(outcome);
      },
    );
  }
}
