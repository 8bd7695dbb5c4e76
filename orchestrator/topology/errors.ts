/**
 * The errors a person gets for a bad topology file: file, line, field path, what was expected
 * and what was found — never a stack trace.
 */

/** One problem in a topology file. */
export interface TopologyIssue {
  path: string;
  line?: number;
  expected: string;
  found: string;
}

/** A topology file that cannot be used; its message lists every problem, one per line. */
export class TopologyError extends Error {
  constructor(
    readonly file: string,
    readonly issues: TopologyIssue[],
  ) {
    super(
      [`${file}: invalid topology (${issues.length} problem${issues.length === 1 ? '' : 's'})`]
        .concat(
          issues.map(
            (i) =>
              `  ${file}${i.line ? `:${i.line}` : ''}: ${i.path || '(top level)'}: expected ${i.expected}, found ${i.found}`,
          ),
        )
        .join('\n'),
    );
    this.name = 'TopologyError';
  }
}

/** A field path as a person writes it: chassis.blades[0].bay. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

/** A cross-reference problem, before it is given its line. */
export type SemanticIssue = { at: (string | number)[]; expected: string; found: string };
