import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExperimentError, faultsOf, parseDuration, parseExperiment } from './experiment.js';

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
    try {
      parseExperiment('title: x\nmethod:\n  - { wait: soon }\n', 'bad.yaml');
    } catch (e) {
      expect((e as Error).message).toContain('bad.yaml');
      expect((e as Error).message).toContain('method[0]');
    }
  });
});
