/**
 * How much of a blade's resident memory is its VMs' guest memory, read from outside the node
 * (`/proc/<pid>/smaps`). A guest's memory is one Buffer of its whole size
 * (services/hyperv-node/migration/guest-memory.ts), its own anonymous mapping, which the kernel
 * backs page by page as the guest's workload first writes them: the blade running a VM grows by
 * about what its guest has touched (~1 MiB/s under the default 256 dirty pages a second), as a
 * real host's memory holds its VMs' whole memory from their start. The seed session reports
 * this part of the largest host's figure beside it, so a reader can tell the emulator's own
 * memory from the guests'.
 */
import { readFileSync } from 'node:fs';

/** The slack a mapping may have over its guest's size: malloc's header, rounded to pages. */
const HEADER_SLACK = 64 * 1024;

/**
 * Bytes resident in the anonymous mappings of `smaps` whose size is one of `guestBytes` (give or
 * take malloc's header): the guests' memory. V8's reservations have other sizes.
 */
export function guestResidentBytes(smaps: string, guestBytes: readonly number[]): number {
  let current: { size: number; anonymous: boolean } | null = null;
  let resident = 0;
  for (const line of smaps.split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      const size = Number.parseInt(head[2] as string, 16) - Number.parseInt(head[1] as string, 16);
      current = { size, anonymous: (head[3] as string).trim() === '' };
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (!rss || !current?.anonymous) continue;
    const size = current.size;
    if (guestBytes.some((g) => size >= g && size <= g + HEADER_SLACK)) resident += Number(rss[1]) * 1024;
  }
  return resident;
}

/** guestResidentBytes of a running process, or null when its smaps cannot be read. */
export function guestResidentOf(pid: number, guestBytes: readonly number[]): number | null {
  try {
    return guestResidentBytes(readFileSync(`/proc/${pid}/smaps`, 'utf8'), guestBytes);
  } catch {
    return null;
  }
}
