import { describe, expect, it } from 'vitest';
import { osShutdown, planShutdownMoves, type ShutdownView } from './os-shutdown.js';

const view = (roles: ShutdownView['roles'], nodes: [string, string][]): ShutdownView => ({
  members: nodes.filter(([, s]) => s === 'Up').map(([n]) => n),
  nodes: nodes.map(([name, state]) => ({ name, state })),
  roles,
});

const TWO_UP: [string, string][] = [
  ['HVR2NODO1', 'Up'],
  ['HVR2NODO2', 'Up'],
];

describe('the OS shutdown of a node', () => {
  it('moves every role the node owns to another member that is up, by quick migration', () => {
    const v = view(
      [
        { name: 'VirtualMachine1', owner: 'HVR2NODO2', state: 'Online' },
        { name: 'VM2', owner: 'HVR2NODO2', state: 'Offline' },
        { name: 'VM3', owner: 'HVR2NODO1', state: 'Online' },
      ],
      TWO_UP,
    );
    expect(planShutdownMoves(v, 'HVR2NODO2')).toEqual([
      { role: 'VirtualMachine1', to: 'HVR2NODO1', live: false },
      { role: 'VM2', to: 'HVR2NODO1', live: false },
    ]);
    expect(planShutdownMoves(v, 'HVR2NODO1')).toEqual([{ role: 'VM3', to: 'HVR2NODO2', live: false }]);
  });

  it('moves nothing when no other member is up to take the roles', () => {
    const v = view(
      [{ name: 'VirtualMachine1', owner: 'HVR2NODO2', state: 'Online' }],
      [
        ['HVR2NODO1', 'Down'],
        ['HVR2NODO2', 'Up'],
      ],
    );
    expect(planShutdownMoves(v, 'HVR2NODO2')).toEqual([]);
  });

  it('carries on past a move that fails, and answers a second request with the same shutdown', async () => {
    const asked: string[] = [];
    const shutdown = osShutdown(
      'HVR2NODO2',
      {
        stateView: () =>
          view(
            [
              { name: 'VM1', owner: 'HVR2NODO2', state: 'Online' },
              { name: 'VM2', owner: 'HVR2NODO2', state: 'Online' },
            ],
            TWO_UP,
          ),
        moveOwnedRole: async (role, to, live) => {
          asked.push(`${role}->${to} ${live ? 'live' : 'quick'}`);
          if (role === 'VM1') throw new Error('the target refused the VM');
        },
      },
      () => undefined,
    );
    const [first, second] = await Promise.all([shutdown(), shutdown()]);
    expect(asked).toEqual(['VM1->HVR2NODO1 quick', 'VM2->HVR2NODO1 quick']);
    expect(first).toBe(second);
    expect(first.moves).toEqual([
      { role: 'VM1', to: 'HVR2NODO1', kind: 'quick', error: 'the target refused the VM' },
      { role: 'VM2', to: 'HVR2NODO1', kind: 'quick', error: '' },
    ]);
  });
});
