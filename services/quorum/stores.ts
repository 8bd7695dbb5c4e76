/**
 * Where the witness keeps its state. A disk witness keeps it ON the Quorum LUN through the
 * storage controller (dcbox.storage.v1.Storage), so it shares the storage's fate; a file share
 * witness keeps it in its own file, replaced atomically (docs/domain.md §Quorum, docs/design.md §Components).
 */
import { mkdir, open, readFile, rename, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DcboxError } from '../actor/errors.js';
import { slotOf, slotOffset } from '../disk-format/slotted-doc.js';
import type { ReadResponse__Output } from '../generated/dcbox/storage/v1/ReadResponse.js';
import type { StorageClient } from '../generated/dcbox/storage/v1/Storage.js';
import { CLIENT_OPTIONS, deadline, insecure, protos, rpc } from '../transport/grpc.js';
import { fromServiceError } from '../transport/grpc-errors.js';
import type { WitnessDoc, WitnessKind } from '../witness-protocol/core.js';
import { BLOCK_BYTES, encodeSlot, loadNewestSlot, parseDoc } from './witness-doc.js';

/** The medium of the witness. Every method rejects when the medium cannot be reached. */
export interface WitnessStore {
  /** The state last saved, or null for a witness that never saved anything. */
  load(): Promise<WitnessDoc | null>;
  /** Saves durably: resolves only once the state would survive a crash. */
  save(doc: WitnessDoc): Promise<void>;
  /** Proves the medium is still reachable. */
  probe(): Promise<void>;
}

/** Block access to one LUN. */
export interface BlockDevice {
  read(offset: number, length: number): Promise<Buffer>;
  write(offset: number, data: Buffer): Promise<void>;
}

/**
 * A LUN on the storage controller `storageHost`, reached as initiator {host, port: 'witness'}.
 * Errors name the LUN and the controller, since they end up in the witness's status_detail.
 */
export function storageLun(
  client: StorageClient,
  where: { lun: string; storageHost: string },
  host: string,
  timeoutMs: number,
): BlockDevice {
  const { lun } = where;
  const initiator = { host, port: 'witness' };
  const explain = (op: string) => (err: unknown) => {
    const e = fromServiceError(err);
    throw new DcboxError(e.code, `${op} of LUN ${lun} on ${where.storageHost} failed: ${e.message}`, {
      cause: err,
    });
  };
  return {
    read: (offset, length) =>
      rpc<ReadResponse__Output>((cb) =>
        client.Read({ lun, initiator, offset, length }, deadline(timeoutMs), cb),
      ).then((res) => res.data, explain('read')),
    write: (offset, data) =>
      rpc((cb) => client.Write({ lun, initiator, offset, data }, deadline(timeoutMs), cb)).then(
        () => undefined,
        explain('write'),
      ),
  };
}

/** A client of the storage controller at "address:port". */
export function storageClient(target: string): StorageClient {
  return new (protos().dcbox.storage.v1.Storage)(target, insecure(), CLIENT_OPTIONS);
}

/**
 * The disk witness's state in two slots at the start of its LUN, written alternately; load picks
 * the valid slot with the highest generation.
 */
export class LunStore implements WitnessStore {
  private generation = 0;

  constructor(
    private readonly device: BlockDevice,
    private readonly expect: { cluster: string; kind: WitnessKind; lun: string },
  ) {}

  async load(): Promise<WitnessDoc | null> {
    const best = await loadNewestSlot((offset, length) => this.device.read(offset, length));
    // The next save must not overwrite the newest good slot, whatever happened to the other.
    this.generation = best?.generation ?? 0;
    return best ? parseDoc(best.json, this.expect, `LUN ${this.expect.lun}`) : null;
  }

  async save(doc: WitnessDoc): Promise<void> {
    const generation = this.generation + 1;
    await this.device.write(slotOffset(slotOf(generation)), encodeSlot(doc, generation));
    this.generation = generation;
  }

  async probe(): Promise<void> {
    await this.device.read(0, BLOCK_BYTES);
  }
}

/**
 * The file share witness: one folder per cluster on the share (docs/domain.md §File share witness), one file replaced
 * atomically (write a temporary file, fsync it, rename it over, fsync the folder).
 */
export class FileStore implements WitnessStore {
  readonly path: string;

  constructor(
    share: string,
    private readonly expect: { cluster: string; kind: WitnessKind },
  ) {
    this.path = join(share, expect.cluster, 'witness.json');
  }

  async load(): Promise<WitnessDoc | null> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    return parseDoc(text, this.expect, this.path);
  }

  async save(doc: WitnessDoc): Promise<void> {
    const dir = dirname(this.path);
    await mkdir(dir, { recursive: true });
    const tmp = `${this.path}.tmp`;
    const f = await open(tmp, 'w');
    try {
      await f.writeFile(JSON.stringify(doc));
      await f.sync();
    } finally {
      await f.close();
    }
    await rename(tmp, this.path);
    const d = await open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  }

  async probe(): Promise<void> {
    // The cluster's folder on the share must be there (or creatable) for the next save.
    await mkdir(dirname(this.path), { recursive: true });
    await stat(dirname(this.path));
  }
}
