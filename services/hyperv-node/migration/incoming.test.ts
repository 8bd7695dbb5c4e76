import { describe, expect, it } from 'vitest';
import type { MigrationChunk__Output } from '../../generated/dcbox/node/v1/MigrationChunk.js';
import { PAGE_SIZE } from './dirty-bitmap.js';
import { applyPages, checkChunk, INCOMING_START, type IncomingState } from './incoming.js';

const MIB = 1024 * 1024;
const setup: MigrationChunk__Output = {
  body: 'setup',
  setup: {
    source: 'HVR2NODO2',
    kind: 'live',
    memory_bytes: MIB,
    page_size: PAGE_SIZE,
    page_address: '',
    page_port: 0,
    page_token: Buffer.alloc(0),
    from_saved_state: false,
    spec: {
      name: 'VM1',
      memory_mib: 1,
      disk_path: 'C:\\ClusterStorage\\Volume1\\VM1\\VM1.vhd',
      lun: 'CSV1',
      disk_offset_bytes: 0,
      disk_size_bytes: 64 * MIB,
      switch_name: 'VMs',
      dirty_pages_per_sec: 256,
    },
  },
};
const pages = (pass: number, runs: number[], bytes?: number): MigrationChunk__Output => ({
  body: 'pages',
  pages: {
    pass,
    runs,
    data: Buffer.alloc(bytes ?? runs.reduce((n, v, i) => (i % 2 ? n + v : n), 0) * PAGE_SIZE),
  },
});
const device: MigrationChunk__Output = {
  body: 'device',
  device: {
    workload_enabled: true,
    interval_ms: 100,
    next_seq: 7,
    acked: [],
    failed_writes: 0,
    unknown_writes: 0,
    last_error: '',
    dirty_pages_per_sec: 256,
    uptime_ms: 1000,
    boot_left_ms: 0,
  },
};
const resume: MigrationChunk__Output = { body: 'resume', resume: {} };

function feed(chunks: MigrationChunk__Output[]): IncomingState | string {
  let s = INCOMING_START;
  for (const c of chunks) {
    const r = checkChunk(s, c);
    if (!r.ok) return r.message;
    s = r.state;
  }
  return s;
}

describe('incoming migration stream', () => {
  it('accepts setup, passes of pages, device state and resume, counting what arrived', () => {
    const s = feed([
      setup,
      pages(1, [0, 256]),
      { body: 'pass_end', pass_end: { pass: 1, pages: 256 } },
      pages(2, [3, 1, 9, 2]),
      device,
      resume,
    ]);
    expect(s).toEqual({
      phase: 'resumed',
      vm: 'VM1',
      memoryBytes: MIB,
      pass: 2,
      pagesReceived: 259,
      bytesReceived: 259 * PAGE_SIZE,
    });
  });

  it.each([
    ['pages before setup', [pages(1, [0, 1])], /only after setup/],
    ['a second setup', [setup, setup], /only once, first/],
    ['a page past the end of memory', [setup, pages(1, [255, 2])], /outside the VM's 256 pages/],
    [
      'data that does not match the runs',
      [setup, pages(1, [0, 2], PAGE_SIZE)],
      /carries 4096 bytes, expected 8192/,
    ],
    [
      'an older pass after a newer one',
      [setup, pages(2, [0, 1]), pages(1, [0, 1])],
      /pass 1 arrived after pass 2/,
    ],
    ['resume without device state', [setup, pages(1, [0, 1]), resume], /only after the device state/],
    ['pages after the device state', [setup, device, pages(1, [0, 1])], /before the device state/],
    ['anything after resume', [setup, device, resume, device], /nothing may follow/],
  ])('refuses %s', (_what, chunks, message) => {
    expect(feed(chunks as MigrationChunk__Output[])).toMatch(message);
  });

  it('refuses a setup whose memory size disagrees with its spec', () => {
    const bad = { ...setup, setup: { ...setup.setup!, memory_bytes: 2 * MIB } } as MigrationChunk__Output;
    expect(feed([bad])).toMatch(/does not match memory_mib 1/);
  });

  it('copies each run of a batch to its place in memory', () => {
    const mem = Buffer.alloc(8 * PAGE_SIZE);
    const data = Buffer.concat([Buffer.alloc(PAGE_SIZE, 1), Buffer.alloc(2 * PAGE_SIZE, 2)]);
    applyPages(mem, [6, 1, 1, 2], data);
    expect(mem[6 * PAGE_SIZE]).toBe(1);
    expect(mem[PAGE_SIZE]).toBe(2);
    expect(mem[3 * PAGE_SIZE - 1]).toBe(2);
    expect(mem[3 * PAGE_SIZE]).toBe(0);
    expect(mem[0]).toBe(0);
  });
});
