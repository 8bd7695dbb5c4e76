/**
 * The CSV coordinator's file table on a simulated node, as services/hyperv-node/csv/
 * table-server.ts keeps it: on each serve (a new term) the newest intact table is loaded from the
 * two slots in the LUN's reserved head (table-codec.ts: a torn slot is skipped, the other one
 * read), the topology's VM disks are seeded into it, and a changed table is written to its next
 * slot before it counts; a load that cannot read the LUN is tried again every ioTimeoutMs. It is
 * written with callbacks: a promise's continuation would run outside the simulation's queue.
 * Metadata requests (creating VM disks) are not simulated: no simulated client makes one.
 */
import * as ft from '../services/hyperv-node/csv/file-table.js';
import {
  decodeSlot,
  encodeTable,
  readHeader,
  type SlotHeader,
  slotOf,
  slotOffset,
} from '../services/hyperv-node/csv/table-codec.js';
import type { BlockIo } from '../services/hyperv-node/journal-scan.js';
import type { IoResult, StorageOp } from '../services/hyperv-node/mpio.js';

/** What the table server needs of its node. */
export interface TableServerDeps {
  volume: string;
  lun: string;
  root: string;
  lunSizeBytes: number;
  seed: ft.FileEntry[];
  /** The node's own paths (MPIO): the coordinator reads and writes the table through them. */
  io: BlockIo;
  /** Runs `fn` after `ms` on this node's incarnation. */
  later: (ms: number, label: string, fn: () => void) => void;
  retryMs: number;
  /** A load skipped a torn slot, or failed: for the history. */
  note: (what: string) => void;
}

/** The coordinator's side of one CSV on one node. */
export class SimTableServer {
  /** Whether the table is loaded and requests answered. */
  serving = false;
  table: ft.FileTable | null = null;
  generation = 0;
  private term = 0;

  constructor(private readonly d: TableServerDeps) {}

  /** This node coordinates: load the table (retrying), seed it, then serve. */
  serve(): void {
    const term = ++this.term;
    const attempt = () => {
      if (term !== this.term) return;
      this.load(term, (error) => {
        if (term !== this.term) return;
        if (error === null) {
          this.serving = true;
          return;
        }
        this.d.note(`cannot load the file table of ${this.d.volume}; retrying: ${error}`);
        this.d.later(this.d.retryMs, `csv table retry ${this.d.volume}`, attempt);
      });
    };
    attempt();
  }

  /** This node no longer coordinates: it forgets the table (the next one reads the LUN). */
  unserve(): void {
    this.term++;
    this.serving = false;
    this.table = null;
  }

  private read(offset: number, length: number, then: (r: IoResult) => void): void {
    this.d.io(this.d.lun, { kind: 'read', offset, length }, then);
  }

  /** Reads both slots' headers, then the newest slot whole, then the other if that one is bad. */
  private load(term: number, done: (error: string | null) => void): void {
    const heads: Uint8Array[] = [];
    const headRead = (s: 0 | 1, next: () => void) =>
      this.read(slotOffset(s), 512, (r) => {
        if (!r.ok) return done(`${r.code}: ${r.message}`);
        heads[s] = r.data ?? new Uint8Array(512);
        next();
      });
    headRead(0, () =>
      headRead(1, () => {
        const headers = heads.map((h) => readHeader(h));
        if (headers.every((h) => h.kind === 'empty')) return this.loaded(term, null, 0, done);
        const order = ([0, 1] as const)
          .filter((s) => headers[s]?.kind === 'header')
          .sort((a, b) => genOf(headers[b]) - genOf(headers[a]));
        this.tryNewest(term, order, headers, done);
      }),
    );
  }

  private tryNewest(
    term: number,
    order: readonly (0 | 1)[],
    headers: SlotHeader[],
    done: (error: string | null) => void,
  ) {
    const [s, ...rest] = order;
    if (s === undefined) return done(`no intact file table on ${this.d.lun}`);
    const h = headers[s] as Extract<SlotHeader, { kind: 'header' }>;
    this.read(slotOffset(s), h.bytes, (r) => {
      if (!r.ok) return done(`${r.code}: ${r.message}`);
      const where = `CSV table slot ${s} of ${this.d.lun}`;
      const slot = decodeSlot(
        r.data ?? new Uint8Array(h.bytes),
        { volume: this.d.volume, lun: this.d.lun },
        where,
      );
      if (slot.kind === 'ok') return this.loaded(term, slot.table, slot.generation, done);
      this.d.note(`CSV file table: a torn slot was skipped: slot ${s} (generation ${h.generation})`);
      this.tryNewest(term, rest, headers, done);
    });
  }

  /** The table read (null on a fresh LUN) gets the seed; a changed one is written first. */
  private loaded(
    term: number,
    table: ft.FileTable | null,
    generation: number,
    done: (error: string | null) => void,
  ) {
    if (term !== this.term) return done(null);
    const base =
      table ??
      ft.emptyTable({
        volume: this.d.volume,
        lun: this.d.lun,
        root: this.d.root,
        lunSizeBytes: this.d.lunSizeBytes,
      });
    const seeded = ft.seedFiles(base, this.d.seed);
    this.table = table;
    this.generation = generation;
    if (table && seeded.files.length === base.files.length) return done(null);
    this.persist(seeded, (error) => done(error));
  }

  /** Writes the next generation to its slot; it counts only once written. */
  persist(next: ft.FileTable, done: (error: string | null) => void): void {
    const term = this.term;
    const generation = this.generation + 1;
    const op: StorageOp = {
      kind: 'write',
      offset: slotOffset(slotOf(generation)),
      data: encodeTable(next, generation),
    };
    this.d.io(this.d.lun, op, (r) => {
      if (!r.ok) return done(`writing the file table of ${this.d.volume}: ${r.code}: ${r.message}`);
      if (term === this.term) {
        this.table = next;
        this.generation = generation;
      }
      done(null);
    });
  }
}

function genOf(h: SlotHeader | undefined): number {
  return h?.kind === 'header' ? h.generation : -1;
}
