import { describe, expect, it } from 'vitest';
import { WriteLog } from './write-log.js';

describe('WriteLog', () => {
  it('logs a write as issued and as answered under one write id, with its writer', () => {
    const log = new WriteLog();
    const inc = log.incarnation(3);
    const done = log.issued({
      timeMs: 10,
      vm: 'VirtualMachine1',
      recordSeq: 7,
      host: 'HVR2NODO1',
      incarnation: inc,
      hash: '0badf00d',
      lun: 'CSV1',
      offset: 4096,
    });
    done('ok', 12);
    const steps = log.steps.after(0).entries.map((e) => log.wire(e));
    expect(steps.map((s) => [s.phase, s.write_id, s.record_seq, s.host, s.incarnation])).toEqual([
      ['invoke', 1, 7, 'HVR2NODO1', inc],
      ['ok', 1, 7, 'HVR2NODO1', inc],
    ]);
  });

  it('gives each start of a VM, and each process, a new 16-hex-digit incarnation', () => {
    const a = new WriteLog();
    const b = new WriteLog();
    expect(a.incarnation(1)).toMatch(/^[0-9a-f]{16}$/);
    expect(a.incarnation(1)).not.toBe(a.incarnation(2));
    expect(a.incarnation(1)).not.toBe(b.incarnation(1));
  });
});
