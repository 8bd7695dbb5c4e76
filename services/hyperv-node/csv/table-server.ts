/**
 * The coordinator's side of a CSV (docs/domain.md §Cluster Shared Volumes): while this node
 * coordinates, it loads the volume's file table from the LUN's reserved head, adds the seed
 * files, answers every node's metadata requests (each change written to the LUN before it is
 * acknowledged) and performs their redirected I/O. A new term starts on each serve, so a node that
 * stopped coordinating keeps nothing of what it was doing.
 */
import type { Subscription } from '@nats-io/transport-node';
import { DcboxError } from '../../actor/errors.js';
import { decodeJson } from '../../transport/nats.js';
import { subjects } from '../../transport/subjects.js';
import * as ft from './file-table.js';
import { respondSafely, sleep } from './nats-helpers.js';
import type { CsvVolumeOptions } from './options.js';
import { serveRedirect } from './redirect.js';
import { encodeTable, loadTable, slotOf, slotOffset } from './table-codec.js';
import type { MetaReply, MetaRequest } from './wire.js';

/** The volume's file table on its coordinator, and the NATS subjects it answers. */
export class TableServer {
  private seedFiles: ft.FileEntry[] = [];
  /** Coordinator side: the table and its generation once loaded; a new term on each serve. */
  private table: ft.FileTable | null = null;
  private generation = 0;
  private term = 0;
  private ready: Promise<void> | null = null;
  /** True once the table is loaded and the subjects are subscribed. */
  private serving = false;
  private subs: Subscription[] = [];
  /** Metadata changes run one at a time, so generations go to the LUN in order. */
  private metaChain: Promise<unknown> = Promise.resolve();

  /** `coordinator` tells who coordinates the volume, as this node last heard. */
  constructor(
    private readonly opts: CsvVolumeOptions,
    private readonly coordinator: () => string | null,
  ) {}

  /** Whether the table is loaded and the subjects answered. */
  isServing(): boolean {
    return this.serving;
  }

  /** The generation of the table on the LUN while serving, else null. */
  tableGeneration(): number | null {
    return this.serving ? this.generation : null;
  }

  /**
   * Files that already exist on the LUN, added to the table when this node coordinates — now, or
   * whenever it loads the table. Idempotent; a conflict rejects.
   */
  async seed(files: ft.FileEntry[]): Promise<void> {
    // Checks the seed now, so a topology error surfaces at the caller and not at a later load
    // (once the LUN's size is known: until then the load that needs it checks it).
    if (this.opts.lunSizeBytes > 0) ft.seedFiles(this.blankTable(), files);
    this.seedFiles = [...files];
    // Serialized with loading: either the load that is coming merges the seed, or the table
    // already loaded gets it now.
    await this.serialized(async () => {
      const table = this.table;
      if (!table || this.coordinator() !== this.opts.node) return;
      const next = ft.seedFiles(table, this.seedFiles);
      if (next.files.length !== table.files.length) await this.persist(next);
    });
  }

  /** The coordinator's side of a metadata request. */
  async serveMeta(req: MetaRequest): Promise<MetaReply> {
    const notServing: MetaReply = {
      ok: false,
      code: 'UNAVAILABLE',
      message: `${this.opts.node} does not serve ${this.opts.volume} (not its coordinator, or still loading its table)`,
      notCoordinator: true,
    };
    if (!this.serving) return notServing;
    try {
      return await this.serialized(async (): Promise<MetaReply> => {
        const table = this.table;
        if (!this.serving || !table) return notServing;
        switch (req.op) {
          case 'lookup':
            return { ok: true, entry: ft.lookupFile(table, req.path) };
          case 'list':
            return { ok: true, files: table.files };
          case 'create': {
            const r = ft.createFile(table, req.path, req.sizeBytes);
            await this.persist(r.table);
            return { ok: true, entry: r.entry };
          }
          case 'extend': {
            const r = ft.extendFile(table, req.path, req.sizeBytes);
            await this.persist(r.table);
            return { ok: true, entry: r.entry };
          }
          case 'delete':
            await this.persist(ft.deleteFile(table, req.path));
            return { ok: true };
          default:
            return {
              ok: false,
              code: 'INVALID_ARGUMENT',
              message: `unknown metadata request ${JSON.stringify(req)}`,
            };
        }
      });
    } catch (err) {
      if (err instanceof DcboxError) return { ok: false, code: err.code, message: err.message };
      // Not an answer of the table's rules (e.g. a table too large for its slot): nothing was written.
      return {
        ok: false,
        code: 'REFUSED',
        message: `metadata ${req.op} on ${this.opts.volume}: ${(err as Error).message}`,
      };
    }
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.metaChain.then(fn, fn);
    this.metaChain = run.catch(() => undefined);
    return run;
  }

  private blankTable(): ft.FileTable {
    return ft.emptyTable({
      volume: this.opts.volume,
      lun: this.opts.lun,
      root: this.opts.path,
      lunSizeBytes: this.opts.lunSizeBytes,
    });
  }

  /**
   * Writes the next generation of the table to its slot through this node's own paths, and only
   * then makes it current: a change is acknowledged once it is on the LUN. A failed write may
   * still have landed, so its error keeps its (indefinite) code.
   */
  private async persist(next: ft.FileTable): Promise<void> {
    const term = this.term;
    const generation = this.generation + 1;
    const r = await this.opts.device.io(this.opts.lun, {
      kind: 'write',
      offset: slotOffset(slotOf(generation)),
      data: encodeTable(next, generation),
    });
    if (!r.ok) throw new DcboxError(r.code, `writing the file table of ${this.opts.volume}: ${r.message}`);
    // A coordinator that stopped coordinating meanwhile keeps nothing: the next one reads the LUN.
    if (term !== this.term) return;
    this.table = next;
    this.generation = generation;
  }

  // ---- loading and serving ------------------------------------------------------------------

  /** Loads the table (retrying while the LUN cannot be read), then subscribes to both subjects. */
  serve(): void {
    const term = ++this.term;
    this.ready = this.loadUntilReady(term).then(async () => {
      if (term !== this.term) return;
      const nc = this.opts.nc;
      this.subs = [
        nc.subscribe(subjects.csvMetadata(this.opts.cluster, this.opts.volume), {
          callback: (_err, msg) => {
            void this.serveMetaMsg(msg.data).then((reply) => respondSafely(msg, reply));
          },
        }),
        nc.subscribe(subjects.csvRedirected(this.opts.cluster, this.opts.volume), {
          callback: (_err, msg) => {
            void serveRedirect(this.opts, this.coordinator(), msg.data).then((reply) =>
              respondSafely(msg, reply),
            );
          },
        }),
      ];
      await nc.flush();
      if (term !== this.term) return;
      this.serving = true;
      this.opts.log('info', 'CSV coordinator serving', {
        volume: this.opts.volume,
        lun: this.opts.lun,
        generation: this.generation,
        files: this.table?.files.length,
      });
    });
    this.ready.catch(() => undefined);
  }

  private async loadUntilReady(term: number): Promise<void> {
    for (;;) {
      if (term !== this.term) throw new Error(`${this.opts.node} stopped coordinating ${this.opts.volume}`);
      try {
        await this.serialized(() => this.load());
        return;
      } catch (err) {
        this.opts.log('warn', 'cannot load the CSV file table; retrying', {
          volume: this.opts.volume,
          lun: this.opts.lun,
          error: (err as Error).message,
        });
        await sleep(this.opts.timing.ioTimeoutMs);
      }
    }
  }

  /** Reads the newest intact table (a fresh LUN starts empty), adds the seed, writes if changed. */
  private async load(): Promise<void> {
    if (this.opts.lunSizeBytes <= 0)
      throw new DcboxError(
        'UNAVAILABLE',
        `the size of LUN ${this.opts.lun} is not known yet (the storage has not answered)`,
      );
    const read = async (offset: number, length: number): Promise<Uint8Array> => {
      const r = await this.opts.device.io(this.opts.lun, { kind: 'read', offset, length });
      if (!r.ok) throw new DcboxError(r.code, `reading the file table of ${this.opts.volume}: ${r.message}`);
      return r.data ?? new Uint8Array(length);
    };
    const loaded = await loadTable(read, { volume: this.opts.volume, lun: this.opts.lun });
    if (loaded.kind === 'ok') {
      if (loaded.skipped.length > 0)
        this.opts.log('warn', 'CSV file table: a torn slot was skipped', {
          volume: this.opts.volume,
          skipped: loaded.skipped,
        });
      this.table = loaded.table;
      this.generation = loaded.generation;
    } else {
      this.table = null;
      this.generation = 0;
    }
    const base = this.table ?? this.blankTable();
    const seeded = ft.seedFiles(base, this.seedFiles);
    if (!this.table || seeded.files.length !== base.files.length) await this.persist(seeded);
  }

  /** Stops serving: unsubscribes and forgets the table (the next coordinator reads the LUN). */
  unserve(): void {
    this.term++;
    this.serving = false;
    for (const s of this.subs) s.unsubscribe();
    this.subs = [];
    this.ready = null;
    this.table = null;
  }

  private async serveMetaMsg(data: Uint8Array): Promise<MetaReply> {
    try {
      return await this.serveMeta(decodeJson<MetaRequest>(data));
    } catch (err) {
      return {
        ok: false,
        code: 'INVALID_ARGUMENT',
        message: `bad metadata request: ${(err as Error).message}`,
      };
    }
  }
}
