/**
 * The target's view of a migration stream: which chunk may come next and whether its pages
 * fit the skeleton VM's memory. Pure checks, so a malformed or out-of-order stream is refused
 * before a byte of guest memory is touched.
 */
import type { MigrationChunk__Output } from '../../generated/dcbox/node/v1/MigrationChunk.js';
import { PAGE_SIZE } from './dirty-bitmap.js';

const MIB = 1024 * 1024;

/** Where an incoming migration stands. */
export interface IncomingState {
  phase: 'await-setup' | 'copying' | 'device-received' | 'resumed';
  vm: string;
  memoryBytes: number;
  /** The highest pass seen so far. */
  pass: number;
  pagesReceived: number;
  bytesReceived: number;
}

/** An incoming migration before its setup chunk. */
export const INCOMING_START: IncomingState = {
  phase: 'await-setup',
  vm: '',
  memoryBytes: 0,
  pass: 0,
  pagesReceived: 0,
  bytesReceived: 0,
};

/** The state after a chunk, or why the chunk is refused. */
export type ChunkCheck = { ok: true; state: IncomingState } | { ok: false; message: string };

/** Checks one chunk against the stream so far. */
export function checkChunk(state: IncomingState, chunk: MigrationChunk__Output): ChunkCheck {
  const refuse = (message: string): ChunkCheck => ({ ok: false, message });
  if (state.phase === 'resumed')
    return refuse(`the migration of ${state.vm} is complete; nothing may follow`);
  switch (chunk.body) {
    case 'setup': {
      const s = chunk.setup;
      if (state.phase !== 'await-setup' || !s) return refuse('setup may come only once, first');
      if (!s.spec) return refuse('setup carries no VM spec');
      if (s.page_size !== PAGE_SIZE) return refuse(`page size must be ${PAGE_SIZE}, got ${s.page_size}`);
      if (s.memory_bytes !== s.spec.memory_mib * MIB)
        return refuse(`memory_bytes ${s.memory_bytes} does not match memory_mib ${s.spec.memory_mib}`);
      return {
        ok: true,
        state: { ...state, phase: 'copying', vm: s.spec.name, memoryBytes: s.memory_bytes },
      };
    }
    case 'pages': {
      const p = chunk.pages;
      if (!p) return refuse('a pages chunk carries no pages');
      return checkPages(state, p.pass, p.runs, p.data.length);
    }
    case 'pass_end':
      if (state.phase !== 'copying') return refuse('a pass may end only while copying');
      return { ok: true, state };
    case 'progress':
      if (state.phase !== 'copying') return refuse('progress may come only while copying');
      return { ok: true, state };
    case 'device':
      if (state.phase !== 'copying') return refuse('the device state may come only once, after the pages');
      return { ok: true, state: { ...state, phase: 'device-received' } };
    case 'resume':
      if (state.phase !== 'device-received') return refuse('resume may come only after the device state');
      return { ok: true, state: { ...state, phase: 'resumed' } };
    default:
      return refuse('an empty migration chunk');
  }
}

/**
 * Checks one batch of pages, from the stream or from the page channel: it must come while
 * copying, in pass order, with (first, count) runs inside the VM's memory and exactly their
 * bytes.
 */
export function checkPages(
  state: IncomingState,
  pass: number,
  runs: readonly number[],
  dataBytes: number,
): ChunkCheck {
  const refuse = (message: string): ChunkCheck => ({ ok: false, message });
  if (state.phase !== 'copying') return refuse(`pages may come only after setup and before the device state`);
  if (pass < state.pass) return refuse(`pages of pass ${pass} arrived after pass ${state.pass}`);
  if (runs.length % 2 !== 0) return refuse('page runs must be (first, count) pairs');
  const pages = memoryPages(state.memoryBytes);
  let n = 0;
  for (let i = 0; i < runs.length; i += 2) {
    const first = runs[i] as number;
    const count = runs[i + 1] as number;
    if (count < 1 || first + count > pages)
      return refuse(`page run ${first}+${count} is outside the VM's ${pages} pages`);
    n += count;
  }
  if (dataBytes !== n * PAGE_SIZE)
    return refuse(`a batch of ${n} pages carries ${dataBytes} bytes, expected ${n * PAGE_SIZE}`);
  return {
    ok: true,
    state: {
      ...state,
      pass,
      pagesReceived: state.pagesReceived + n,
      bytesReceived: state.bytesReceived + dataBytes,
    },
  };
}

/** The number of 4 KiB pages of a memory of this size. */
export function memoryPages(memoryBytes: number): number {
  return Math.ceil(memoryBytes / PAGE_SIZE);
}

/** Copies a checked batch's pages into the skeleton VM's memory, run by run. */
export function applyPages(memory: Buffer, runs: readonly number[], data: Uint8Array): void {
  let at = 0;
  for (let i = 0; i + 1 < runs.length; i += 2) {
    const bytes = (runs[i + 1] as number) * PAGE_SIZE;
    memory.set(data.subarray(at, at + bytes), (runs[i] as number) * PAGE_SIZE);
    at += bytes;
  }
}
