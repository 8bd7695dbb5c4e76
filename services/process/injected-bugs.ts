/**
 * Injected bugs: named, deliberately wrong behaviours that prove the chaos checkers catch what
 * they claim to (docs/chaos.md). The service shell reads DCBOX_INJECT_BUG once at start and hands
 * the parsed value to the adapters and cores through the service config; nothing else reads the
 * environment for them. This module holds only types and pure functions, so cores may import it.
 */

/** The bugs a run can inject, each a small branch marked `// injected bug <name>:` in the code. */
export const INJECTED_BUGS = [
  'failover-without-fencing',
  'ack-before-durable',
  'answer-after-quorum-loss',
  'witness-without-arbitration',
  'stale-config-on-rejoin',
  'csv-takeover-without-handoff',
  'no-rejoin-after-heal',
  'lease-lapses-on-arbitration',
] as const;

/** One injectable bug's name. */
export type InjectedBug = (typeof INJECTED_BUGS)[number];

/** Which bug a process runs with: at most one, frozen once parsed. */
export type InjectedBugs = Readonly<{ active: InjectedBug | null }>;

/** No bug: what a process runs with when DCBOX_INJECT_BUG is unset or empty. */
export const NO_BUGS: InjectedBugs = Object.freeze({ active: null });

/**
 * Parses DCBOX_INJECT_BUG's value. Unset or empty enables nothing; an unknown name is refused,
 * so a typo cannot silently run the correct code and make a checker look blind.
 */
export function parseInjectedBugs(value: string | undefined): InjectedBugs {
  const name = (value ?? '').trim();
  if (name === '') return NO_BUGS;
  if (!(INJECTED_BUGS as readonly string[]).includes(name))
    throw new Error(`DCBOX_INJECT_BUG=${name} names no injectable bug; known: ${INJECTED_BUGS.join(', ')}`);
  return Object.freeze({ active: name as InjectedBug });
}

/** Whether the named bug is injected (false for a config written without the field). */
export function injected(bugs: InjectedBugs | undefined, name: InjectedBug): boolean {
  return bugs?.active === name;
}
