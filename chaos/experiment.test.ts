import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExperimentError, faultsOf, parseDuration, parseExperiment, renameDeprecated } from './experiment.js';

const dir = join(import.meta.dirname, 'experiments');

describe('the shipped experiment library', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));

  it('has the ten experiments the issue lists', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  for (const f of files) {
    it(`${f} validates, says what it tests, and injects at least one fault or action`, () => {
      const text = readFileSync(join(dir, f), 'utf8');
      expect(text.startsWith('#')).toBe(true);
      const spec = parseExperiment(text, f);
      expect(spec.method.length).toBeGreaterThan(0);
      expect(faultsOf(spec.method).length + spec.method.filter((s) => 'action' in s).length).toBeGreaterThan(
        0,
      );
    });
  }
});

describe('experiment files', () => {
  it('parses durations', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('5s')).toBe(5000);
    expect(parseDuration('2m')).toBe(120_000);
  });

  it('names the field and what was wrong', () => {
    expect(() =>
      parseExperiment('title: x\nmethod:\n  - { fault: explode, target: A }\n', 'bad.yaml'),
    ).toThrow(ExperimentError);
    // The message names the file and the step, and parsing must throw at all (a try/catch here
    // would pass on a file that was accepted).
    expect(() => parseExperiment('title: x\nmethod:\n  - { wait: soon }\n', 'bad.yaml')).toThrow(
      /^bad\.yaml: invalid experiment\n\s+method\[0\]\.wait: /,
    );
  });

  it('reads the CSV coordinator, and still accepts its deprecated spellings from before the rename', () => {
    const method = 'method:\n  - { wait: 1s }\n';
    const current = parseExperiment(
      `title: x\ncsvCoordinator: HVR2NODO2\nsteadyState:\n  - { probe: csv-coordinator, coordinator: HVR2NODO1 }\n${method}`,
      'new.yaml',
    );
    const legacy = parseExperiment(
      `title: x\ncsvOwner: HVR2NODO2\nsteadyState:\n  - { probe: csv-owner, owner: HVR2NODO1 }\n${method}`,
      'old.yaml',
    );
    expect(legacy).toEqual(current);
    expect(current.csvCoordinator).toBe('HVR2NODO2');
    expect(current.steadyState).toEqual([
      { probe: 'csv-coordinator', tolerance: 0, coordinator: 'HVR2NODO1' },
    ]);
  });

  it('rejects a key given in both its deprecated and its current spelling', () => {
    expect(() =>
      parseExperiment(`title: x\ncsvOwner: A\ncsvCoordinator: B\nmethod:\n  - { wait: 1s }\n`, 'both.yaml'),
    ).toThrow(/csvOwner/);
  });
});

describe('renameDeprecated', () => {
  it('renames keys and values, and leaves anything but a plain object alone', () => {
    const rename = renameDeprecated({ old: 'current' }, { kind: { before: 'after' } });
    expect(rename({ old: 1, kind: 'before', other: 2 })).toEqual({ current: 1, kind: 'after', other: 2 });
    expect(rename({ kind: 'unrelated' })).toEqual({ kind: 'unrelated' });
    expect(rename([1])).toEqual([1]);
    expect(rename(null)).toBeNull();
  });
});
