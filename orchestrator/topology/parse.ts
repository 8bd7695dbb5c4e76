/**
 * Reading a topology file: YAML with line numbers, the schema (schema.ts), then the
 * cross-references (check.ts); every problem becomes one line of a TopologyError.
 */
import { readFileSync } from 'node:fs';
import { type Document, isNode, isPair, isSeq, LineCounter, parseDocument, visit } from 'yaml';
import type { z } from 'zod';
import { checkReferences } from './check.js';
import { formatPath, TopologyError, type TopologyIssue } from './errors.js';
import { Topology, type TopologySpec } from './schema.js';

/** The longest piece of a found string quoted in an error; the rest is counted, not shown. */
const QUOTED_CHARS_MAX = 60;

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return quoteCut(value);
  return `${typeof value} ${String(value)}`;
}

/** A found string, quoted and cut to a readable length (a pasted blob can be kilobytes of binary). */
export function quoteCut(value: string): string {
  if (value.length <= QUOTED_CHARS_MAX) return JSON.stringify(value);
  return `${JSON.stringify(value.slice(0, QUOTED_CHARS_MAX))}… (${value.length} characters)`;
}

/**
 * The document as plain data. The YAML library resolves aliases only here, and an alias whose
 * anchor is missing throws without a position: find that alias to name its line.
 */
function toData(doc: Document, file: string, lineCounter: LineCounter): unknown {
  try {
    return doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    const issues: TopologyIssue[] = [];
    visit(doc, {
      Alias(_, node, ancestors) {
        if (node.resolve(doc) === undefined)
          issues.push({
            path: formatPath(keyPath([...ancestors, node])),
            line: node.range ? lineCounter.linePos(node.range[0]).line : undefined,
            expected: 'an alias to an anchor set earlier in the file',
            found: `*${node.source}, and no anchor &${node.source} before it`,
          });
      },
    });
    if (issues.length === 0)
      issues.push({
        path: '',
        expected: 'valid YAML',
        found: (err as Error).message.split('\n')[0] ?? 'an error',
      });
    throw new TopologyError(file, issues);
  }
}

/** The field path of a node from its ancestors: a mapping's keys and a list's indexes. */
function keyPath(chain: readonly unknown[]): (string | number)[] {
  const path: (string | number)[] = [];
  chain.forEach((n, i) => {
    if (isPair(n)) path.push(String(isNode(n.key) ? (n.key as { value?: unknown }).value : n.key));
    else if (isSeq(n)) path.push(n.items.indexOf(chain[i + 1] as (typeof n.items)[number]));
  });
  return path;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

/** zod's type names as a person reading a YAML file says them. */
const TYPE_NAMES: Record<string, string> = {
  int: 'an integer',
  object: 'a mapping',
  array: 'a list',
  boolean: 'true or false',
};

function expectedOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return TYPE_NAMES[issue.expected] ?? `a ${issue.expected}`;
    case 'invalid_value':
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      return issue.origin === 'array'
        ? `at least ${issue.minimum} item${Number(issue.minimum) === 1 ? '' : 's'}`
        : issue.origin === 'string'
          ? `at least ${issue.minimum} character${Number(issue.minimum) === 1 ? '' : 's'}`
          : `a number ≥ ${issue.minimum}`;
    case 'too_big':
      return issue.origin === 'array' ? `at most ${issue.maximum} items` : `a number ≤ ${issue.maximum}`;
    case 'invalid_format':
      return issue.message;
    case 'unrecognized_keys':
      return 'only known fields';
    default:
      return issue.message;
  }
}

/** Parses and validates a topology from YAML text; throws TopologyError naming every problem. */
export function parseTopology(text: string, file: string): TopologySpec {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new TopologyError(
      file,
      doc.errors.map((e) => ({
        path: '',
        line: lineCounter.linePos(e.pos[0]).line,
        expected: 'valid YAML',
        found: e.message.split('\n')[0] ?? 'a syntax error',
      })),
    );
  }
  const raw = toData(doc, file, lineCounter);
  const lineOf = (path: readonly PropertyKey[]): number | undefined => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n) as unknown[], true);
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  const parsed = Topology.safeParse(raw);
  if (!parsed.success) {
    const issues: TopologyIssue[] = [];
    for (const issue of parsed.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) {
          const path = [...issue.path, key];
          issues.push({
            path: formatPath(path),
            line: lineOf(path),
            expected: 'no such field',
            found: `unknown field "${key}"`,
          });
        }
        continue;
      }
      issues.push({
        path: formatPath(issue.path),
        line: lineOf(issue.path),
        expected: expectedOf(issue),
        found: describe(valueAt(raw, issue.path)),
      });
    }
    throw new TopologyError(file, issues);
  }
  const spec = parsed.data;
  const semantic = checkReferences(spec);
  if (semantic.length > 0) {
    throw new TopologyError(
      file,
      semantic.map((s) => ({ ...s, path: formatPath(s.at), line: lineOf(s.at) })),
    );
  }
  return spec;
}

/** Reads, parses and validates a topology file. */
export function loadTopology(path: string): TopologySpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new TopologyError(path, [
      {
        path: '',
        expected: 'a readable topology file',
        found: (err as NodeJS.ErrnoException).code ?? String(err),
      },
    ]);
  }
  return parseTopology(text, path);
}
