/**
 * Small helpers shared by the CLI's commands: tables, and clients for the run that is up with
 * errors turned into one readable line.
 */

import { connect, NoRunError } from '../orchestrator/run/clients.js';
import { UsageError } from '../orchestrator/run/up.js';
import { fromServiceError } from '../services/transport/grpc-errors.js';

/** A plain text table with a header row and columns padded to their widest cell. */
export function table(rows: (string | number)[][], header: string[]): string {
  const all = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all
    .map((r) =>
      r
        .map((c, i) => String(c).padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Runs fn with clients for the run that is up; any remote error becomes a UsageError. */
export async function withClients<T>(fn: (c: ReturnType<typeof connect>) => Promise<T>): Promise<T> {
  const c = connect();
  try {
    return await fn(c);
  } catch (err) {
    if (err instanceof NoRunError || err instanceof UsageError) throw err;
    throw new UsageError(fromServiceError(err).message);
  } finally {
    c.close();
  }
}

/** Prints a value as indented JSON, the output of every command's `--json`. */
export function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

/**
 * The progress printer of a long command (demo, scenario, chaos): each line indented by two
 * spaces, or nothing when the command prints JSON, so that stdout stays one JSON document.
 */
export function progress(json: boolean | undefined): (line: string) => void {
  return json ? () => undefined : (line) => console.log(`  ${line}`);
}
