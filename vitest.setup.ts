import { afterEach } from 'vitest';

// Vitest's worker reports each finished test to the main process and gives up on an answer after
// 60 s ("[vitest-worker]: Timeout calling onTaskUpdate"). Between tests its runner awaits only
// promises, so a file of synchronous tests (the simulation's) never lets the worker's event loop
// read that answer: a file of them that runs past 60 s fails the run, and vitest then skips the
// integration project. Yielding to the event loop after each test reads the answer in time, as
// long as no single test blocks for a minute.
afterEach(() => new Promise<void>((resolve) => setImmediate(resolve)));
