import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanRun } from './checkers/fixtures.js';
import { entriesOf, HistoryError, parseHistory, readHistory } from './history.js';

const good =
  '{"t":0,"type":"run","phase":"start","seed":7,"experiment":"x","topology":"seed","timing":"fast","at":1}';

function problemsOf(text: string): string[] {
  try {
    parseHistory(text, 'runs/h.jsonl');
  } catch (err) {
    expect(err).toBeInstanceOf(HistoryError);
    return (err as HistoryError).problems;
  }
  throw new Error('expected the history to be rejected');
}

describe('history parsing', () => {
  it('reads back what a recorder writes, line by line', () => {
    const entries = cleanRun();
    const text = entries.map((e) => JSON.stringify(e)).join('\n') + '\n';
    expect(parseHistory(text)).toEqual(entries);
  });

  it('reads the independent evidence: the controller log, the layout and read-back records', () => {
    const lines = [
      '{"t":1,"type":"storage-write","initiator":{"host":"N1","port":"RSSM1"},"lun":"L","offset":512,"length":512,"hash":"h"}',
      '{"t":2,"type":"reservation","action":"preempt","initiator":{"host":"N1","port":"RSSM1"},"lun":"L","key":"01","victim":{"key":"02"}}',
      '{"t":3,"type":"layout","volumes":{"Volume1":"L"},"disks":{"vm1":{"lun":"L","offset":0,"size":4096}}}',
      '{"t":4,"type":"readback","vm":"vm1","checked":1,"missing":[],"bad":[],"records":[{"seq":1,"present":true,"writer":"N1","incarnation":"i","hash":"h"}]}',
    ];
    expect(parseHistory(lines.join('\n')).map((e) => e.type)).toEqual([
      'storage-write',
      'reservation',
      'layout',
      'readback',
    ]);
    expect(
      problemsOf(
        '{"t":1,"type":"reservation","action":"steal","initiator":{"host":"N1","port":"p"},"lun":"L","key":"01"}',
      )[0],
    ).toContain('runs/h.jsonl:1: action:');
  });

  it('keeps fields beyond the format, such as a sample’s csvMode', () => {
    const line =
      '{"t":5,"type":"state","node":"N1","service":"Running","epoch":2,"members":["N1"],"hasQuorum":true,"leader":"N1","csv":{},"roles":{},"csvMode":"Direct"}';
    const [s] = entriesOf(parseHistory(line), 'state');
    expect(s).toMatchObject({ node: 'N1', csvMode: 'Direct' });
  });

  it('rejects bad lines with file:line and what was wrong, skipping blank lines', () => {
    const text = [
      good,
      '',
      '{"t":1,"type":"op","process":"ping:vm1","f":"ping","phase":"timeout","id":1,"vm":"vm1"}',
      '{not json',
      '{"t":2,"type":"fault","phase":"start","id":"f1","kind":"meteor","targets":[],"detail":{}}',
      '{"t":3,"type":"gossip"}',
      '{"t":4,"type":"readback","vm":"vm1","checked":1,"missing":[],"bad":[{"seq":"one","reason":""}]}',
      '{"type":"event","node":"N1","kind":"joined","eventId":0,"message":"","data":{}}',
      good,
    ].join('\n');
    const problems = problemsOf(text);
    expect(problems).toHaveLength(6);
    expect(problems[0]).toMatch(/^runs\/h\.jsonl:3: phase: /);
    expect(problems[1]).toMatch(/^runs\/h\.jsonl:4: expected one JSON object, found invalid JSON/);
    expect(problems[2]).toMatch(/^runs\/h\.jsonl:5: kind: /);
    expect(problems[3]).toMatch(/^runs\/h\.jsonl:6: type: /);
    expect(problems[4]).toMatch(/^runs\/h\.jsonl:7: bad\[0\]\.seq: /);
    expect(problems[5]).toMatch(/^runs\/h\.jsonl:8: t: /);
  });

  it('names the file in the error message', () => {
    expect(() => parseHistory('[1]', 'h.jsonl')).toThrow(/^h\.jsonl: invalid history\n {2}h\.jsonl:1: /);
  });

  it('reads a file from disk, and says so when it cannot', () => {
    const dir = mkdtempSync(join(tmpdir(), 'history-'));
    const path = join(dir, 'history.jsonl');
    writeFileSync(path, `${good}\n`);
    expect(readHistory(path)).toHaveLength(1);
    expect(() => readHistory(join(dir, 'absent.jsonl'))).toThrow(/absent\.jsonl: invalid history\n.*ENOENT/);
    rmSync(dir, { recursive: true, force: true });
  });
});
