import { defineConfig } from 'vitest/config';

// Unit tests sit beside the code (pure cores, simulated clock) and run in parallel.
// Integration tests in test/ start real processes, namespaces and NATS servers on one machine-wide
// run, so they run one file at a time, and only after the unit tests: run beside them, a unit file
// took one of this 2-core machine's cores from the data center under test, whose fast-timing
// checks then failed now and then.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'services/**/*.test.ts',
            'orchestrator/**/*.test.ts',
            'cli/**/*.test.ts',
            'chaos/**/*.test.ts',
            'sim/**/*.test.ts',
            'bench/**/*.test.ts',
          ],
          testTimeout: 20_000,
          setupFiles: ['./vitest.setup.ts'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          fileParallelism: false,
          setupFiles: ['./vitest.setup.ts'],
          sequence: { groupOrder: 1 },
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
