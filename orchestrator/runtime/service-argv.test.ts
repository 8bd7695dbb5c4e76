import { describe, expect, it } from 'vitest';
import { serviceArgv, serviceEnv } from './service-argv.js';

describe('serviceArgv', () => {
  it("gives the storage controller V8's speed flags after the memory ones", () => {
    for (const component of ['storage-controller'] as const) {
      const argv = serviceArgv('node', '/r', component, '/c.json');
      const at = (flag: string) => argv.indexOf(flag);
      expect(at('--no-optimize-for-size')).toBeGreaterThan(at('--optimize-for-size'));
      expect(at('--max-semi-space-size=4')).toBeGreaterThan(at('--max-semi-space-size=1'));
      expect(argv.slice(-3)).toEqual([`/r/dist/services/${component}/main.js`, '--config', '/c.json']);
    }
  });

  it('lets the RSSMs, which forward every write, optimize for speed', () => {
    for (const component of ['rssm'] as const) {
      const argv = serviceArgv('node', '/r', component, '/c.json');
      expect(argv.indexOf('--no-optimize-for-size')).toBeGreaterThan(argv.indexOf('--optimize-for-size'));
      expect(argv).toContain('--max-semi-space-size=1');
      expect(argv).not.toContain('--max-semi-space-size=4');
    }
  });

  it('keeps every other service on the memory flags alone', () => {
    for (const component of ['hyperv-node', 'quorum', 'management-module', 'workstation'] as const) {
      const argv = serviceArgv('node', '/r', component, '/c.json');
      expect(argv).toContain('--optimize-for-size');
      expect(argv).not.toContain('--no-optimize-for-size');
    }
  });
});

describe('serviceEnv', () => {
  it("fixes malloc's mmap threshold at 128 KiB unless the environment sets one", () => {
    expect(serviceEnv({})).toEqual({ MALLOC_MMAP_THRESHOLD_: '131072' });
    expect(serviceEnv({ MALLOC_MMAP_THRESHOLD_: '2097152' })).toEqual({});
  });
});
