/**
 * An I/O load generated inside the node (HyperVNode.RunIoLoad, `dcbox io-load`): `depth`
 * commands in flight for `durationMs`, each a read or write of `blockSize` bytes in
 * [offsetBase, offsetBase + spanBytes) of a CSV LUN, random or sequential, through the same
 * device the VMs' disks use (the CSV volume: direct I/O on MPIO, or redirected through the
 * coordinator). Like diskspd or fio run on a Hyper-V host against its CSV.
 *
 * A load writes raw blocks, so it only runs in a CSV's free space: above the volume's metadata
 * and outside every file of its table (a VM's disk is never overwritten).
 */
import { type Clock, Random } from '../actor/clock.js';
import { DcboxError } from '../actor/errors.js';
import type { BlockDevice } from './csv/csv-volume.js';
import { DATA_START_BYTES } from './csv/file-table.js';

export interface IoLoadSpec {
  lun: string;
  kind: 'write' | 'read';
  blockSize: number;
  sequential: boolean;
  depth: number;
  durationMs: number;
  offsetBase: number;
  spanBytes: number;
}

export interface IoLoadResult {
  ops: number;
  bytes: number;
  durationMs: number;
  latencyP50Us: number;
  latencyP99Us: number;
  latencyMaxUs: number;
  errors: number;
  firstError: string;
}

export const IO_LOAD_LIMITS = {
  depthMax: 256,
  durationMsMax: 600_000,
  blockSizeMax: 16 * 1024 * 1024,
  /** A load stops after this many failed commands (all paths down should not spin). */
  errorsMax: 100,
} as const;

const SECTOR = 512;

/** Checks a load against the limits, the LUN's size and the CSV's files; null when it may run. */
export function checkIoLoad(
  spec: IoLoadSpec,
  lunSizeBytes: number,
  files: readonly { path: string; offset: number; sizeBytes: number }[],
): DcboxError | null {
  const bad = (m: string) => new DcboxError('INVALID_ARGUMENT', m);
  const L = IO_LOAD_LIMITS;
  if (spec.kind !== 'write' && spec.kind !== 'read') return bad(`kind ${spec.kind} is not write or read`);
  if (!Number.isInteger(spec.blockSize) || spec.blockSize < SECTOR || spec.blockSize % SECTOR !== 0)
    return bad(`block size ${spec.blockSize} must be a multiple of ${SECTOR} bytes`);
  if (spec.blockSize > L.blockSizeMax)
    return bad(`block size ${spec.blockSize} is above ${L.blockSizeMax} bytes`);
  if (!Number.isInteger(spec.depth) || spec.depth < 1 || spec.depth > L.depthMax)
    return bad(`depth ${spec.depth} must be 1..${L.depthMax}`);
  if (!Number.isInteger(spec.durationMs) || spec.durationMs < 1 || spec.durationMs > L.durationMsMax)
    return bad(`duration ${spec.durationMs} ms must be 1..${L.durationMsMax} ms`);
  if (spec.offsetBase % SECTOR !== 0) return bad(`offset base ${spec.offsetBase} is not sector-aligned`);
  if (spec.spanBytes < spec.blockSize || spec.spanBytes % spec.blockSize !== 0)
    return bad(`span ${spec.spanBytes} must be a whole number (≥ 1) of ${spec.blockSize}-byte blocks`);
  const end = spec.offsetBase + spec.spanBytes;
  if (spec.offsetBase < DATA_START_BYTES)
    return bad(
      `offset base ${spec.offsetBase} is inside the CSV's metadata (the first ${DATA_START_BYTES} bytes)`,
    );
  if (lunSizeBytes > 0 && end > lunSizeBytes)
    return bad(`[${spec.offsetBase}, ${end}) runs past the end of LUN ${spec.lun} (${lunSizeBytes} bytes)`);
  const hit = files.find((f) => f.offset < end && spec.offsetBase < f.offset + f.sizeBytes);
  if (hit)
    return new DcboxError(
      'REFUSED',
      `[${spec.offsetBase}, ${end}) overlaps ${hit.path} at [${hit.offset}, ${hit.offset + hit.sizeBytes}) on ${spec.lun}: a load runs in the CSV's free space only`,
    );
  return null;
}

/** Latencies in log2 buckets of 1/16 (each bucket ≈ 4.4% wide): a percentile is a bucket's top. */
export class LatencyHistogram {
  private readonly counts = new Float64Array(16 * 40);
  private n = 0;
  max = 0;

  add(us: number): void {
    const v = Math.max(us, 1);
    const b = Math.min(this.counts.length - 1, Math.floor(Math.log2(v) * 16));
    this.counts[b] = (this.counts[b] as number) + 1;
    this.n++;
    if (v > this.max) this.max = v;
  }

  /** The q-quantile (0..1) in µs, at most the largest latency seen; 0 when empty. */
  quantile(q: number): number {
    if (this.n === 0) return 0;
    const want = Math.max(1, Math.ceil(q * this.n));
    let seen = 0;
    for (let b = 0; b < this.counts.length; b++) {
      seen += this.counts[b] as number;
      if (seen >= want) return Math.min(this.max, 2 ** ((b + 1) / 16));
    }
    return this.max;
  }
}

/** Runs a checked load on `device` and measures it; failed commands are counted, not thrown. */
export async function runIoLoad(
  spec: IoLoadSpec,
  device: BlockDevice,
  clock: Clock,
  seed: number,
): Promise<IoLoadResult> {
  const random = new Random(seed);
  const blocks = spec.spanBytes / spec.blockSize;
  const data = Buffer.alloc(spec.blockSize, 0xa5);
  const hist = new LatencyHistogram();
  let next = 0;
  let ops = 0;
  let errors = 0;
  let firstError = '';
  const started = clock.now();
  const end = started + spec.durationMs;
  const worker = async () => {
    while (clock.now() < end && errors < IO_LOAD_LIMITS.errorsMax) {
      const block = spec.sequential ? next++ % blocks : Math.floor(random.next() * blocks);
      const offset = spec.offsetBase + block * spec.blockSize;
      // Latency is measured here, never decided on: performance.now gives the microseconds the
      // histogram needs, which the clock's milliseconds cannot.
      const t0 = performance.now();
      const r = await device.io(
        spec.lun,
        spec.kind === 'write'
          ? { kind: 'write', offset, data }
          : { kind: 'read', offset, length: spec.blockSize },
      );
      if (r.ok) {
        ops++;
        hist.add((performance.now() - t0) * 1000);
      } else {
        errors++;
        firstError ||= `${r.code}: ${r.message}`;
      }
    }
  };
  await Promise.all(Array.from({ length: spec.depth }, worker));
  return {
    ops,
    bytes: ops * spec.blockSize,
    durationMs: clock.now() - started,
    latencyP50Us: Math.round(hist.quantile(0.5)),
    latencyP99Us: Math.round(hist.quantile(0.99)),
    latencyMaxUs: Math.round(hist.max),
    errors,
    firstError,
  };
}

/** A CSV volume as a load needs it: its LUN, its files, and the I/O path of the VMs' disks. */
export interface LoadVolume extends BlockDevice {
  status(): { lun: string };
  list(): Promise<readonly { path: string; offset: number; sizeBytes: number }[]>;
}

/**
 * Checks a load against the CSV that holds its LUN (its files, asked of the coordinator) and
 * runs it through that volume. A LUN that is not a CSV is refused: nothing says which of its
 * blocks are free (the Quorum LUN holds the witness).
 */
export async function runCheckedIoLoad(
  spec: IoLoadSpec,
  volumes: readonly LoadVolume[],
  lunSizeBytes: number,
  clock: Clock,
  seed: number,
): Promise<IoLoadResult> {
  const volume = volumes.find((v) => v.status().lun === spec.lun);
  if (!volume) {
    const csvs = volumes.map((v) => v.status().lun).join(', ') || 'none';
    throw new DcboxError('INVALID_ARGUMENT', `LUN ${spec.lun} is not a CSV of this node (CSV LUNs: ${csvs})`);
  }
  const refused = checkIoLoad(spec, lunSizeBytes, await volume.list());
  if (refused) throw refused;
  return runIoLoad(spec, volume, clock, seed);
}
