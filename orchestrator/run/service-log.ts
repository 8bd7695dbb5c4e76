/**
 * A host's service log read back: one JSON object a line (services/process/log.ts), in the
 * host's folder of the run. The bench and the tests read what a service said of itself there.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostDir } from './paths.js';

/** One line of a service's log: when, what, and the fields it logged. */
export type LogLine = { t: string; msg: string } & Record<string, unknown>;

/** The lines of `host`'s service log that `keep` keeps, in order; none when it has no log. */
export function serviceLogLines(host: string, keep: (line: LogLine) => boolean): LogLine[] {
  let text: string;
  try {
    text = readFileSync(join(hostDir(host), 'service.log'), 'utf8');
  } catch {
    return [];
  }
  const out: LogLine[] = [];
  for (const l of text.split('\n')) {
    if (!l.startsWith('{')) continue;
    try {
      const line = JSON.parse(l) as LogLine;
      if (keep(line)) out.push(line);
    } catch {
      // A line that is not JSON is not one of ours (a crash's stack trace).
    }
  }
  return out;
}

/**
 * What V8's code cache did for each host's service at its last start, from its `serving` line
 * (services/process/code-cache.ts), counted: e.g. "8 hit" or "6 hit, 2 miss".
 */
export function codeCacheCounts(hosts: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const h of hosts) {
    const said = String(serviceLogLines(h, (l) => l.msg === 'serving').at(-1)?.codeCache ?? 'unknown');
    counts.set(said, (counts.get(said) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${n} ${k}`).join(', ');
}
