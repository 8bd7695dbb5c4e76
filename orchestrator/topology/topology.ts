/**
 * Topology files: the YAML that describes a data center, its schema, the errors a person gets
 * for a bad file (file, line, field path, what was expected, what was found — never a stack
 * trace), and the resolution of a valid file into hosts with their service settings. This
 * module is the folder's entry and re-exports what its importers use; the folder holds
 * - schema.ts: the zod schema of a file, parseSize, and chassisList (one chassis or several);
 * - errors.ts: TopologyError and its issues;
 * - parse.ts: parseTopology and loadTopology (YAML with line numbers, schema, cross-references);
 * - check.ts: the cross-references of a schema-valid file;
 * - resolve.ts: resolveTopology, the hosts to start with their settings;
 * - timing.ts: the timing profiles (default and fast).
 */
export { TopologyError, type TopologyIssue } from './errors.js';
export { loadTopology, parseTopology } from './parse.js';
export { type HostPlan, type ResolvedTopology, resolveTopology } from './resolve.js';
export { type ChassisSpec, chassisList, type PlacedChassis, parseSize, type TopologySpec } from './schema.js';
