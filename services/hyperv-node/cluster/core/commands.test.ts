import { describe, expect, it } from 'vitest';
import { fastCore } from '../test-support.js';
import { onCommand, requireActiveMember, requireLeader, requireQuorum } from './commands.js';

const joining = fastCore('N1', ['N1', 'N2']);
const leading = { ...joining, service: 'Running' as const, leader: 'N1', members: ['N1'] };

describe('command guards', () => {
  it('refuses a command on a node that does not lead a running cluster', () => {
    expect(requireLeader(joining)).toEqual({
      code: 'UNAVAILABLE',
      message: 'N1 is not the cluster leader (service Joining, leader none)',
    });
    expect(requireLeader(leading)).toBeUndefined();
  });

  it('refuses a change without quorum', () => {
    expect(requireQuorum(leading)?.code).toBe('UNAVAILABLE');
    expect(requireQuorum({ ...leading, quorum: { ...leading.quorum, has: true } })).toBeUndefined();
  });

  it('refuses a target outside the membership', () => {
    expect(requireActiveMember(leading, 'N2')?.message).toBe('N2 is not an active cluster member');
    expect(requireActiveMember(leading, 'N1')).toBeUndefined();
  });

  it('answers a refused command with its code and nothing else', () => {
    const out = onCommand(joining, 'r1', { op: 'online', role: 'VM1' }, 0);
    expect(out.state).toBe(joining);
    expect(out.effects).toEqual([
      {
        type: 'reply',
        replyTo: 'r1',
        ok: false,
        code: 'UNAVAILABLE',
        message: 'N1 is not the cluster leader (service Joining, leader none)',
      },
    ]);
  });
});
