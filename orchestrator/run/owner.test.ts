import { describe, expect, it } from 'vitest';
import { isDaemonCmdline, NoRunError, NotOwnerError, notOwnerMessage, userNameIn } from './owner.js';

describe("another user's run", () => {
  it('is refused naming its owner and what to do', () => {
    expect(notOwnerMessage({ uid: 0, name: 'root' }, { uid: 998, name: 'dcbox-test-user' })).toBe(
      'a dcbox run is up, but this run belongs to root (uid 0), not to you (dcbox-test-user, uid 998): ask them, or use sudo',
    );
  });

  it('of a user other than root points at running dcbox as them', () => {
    expect(notOwnerMessage({ uid: 1001, name: 'alice' }, { uid: 1002, name: null })).toMatch(
      /belongs to alice \(uid 1001\), not to you \(uid 1002\): ask them, or run dcbox as them \(sudo -u alice dcbox …\)/,
    );
  });

  it('is a NoRunError, so the CLI prints it as one line', () => {
    expect(new NotOwnerError('x')).toBeInstanceOf(NoRunError);
  });

  it("finds the user's name in /etc/passwd", () => {
    const passwd = 'root:x:0:0:root:/root:/bin/bash\ndcbox-test-user:x:998:998::/home/x:/usr/sbin/nologin\n';
    expect(userNameIn(passwd, 0)).toBe('root');
    expect(userNameIn(passwd, 998)).toBe('dcbox-test-user');
    expect(userNameIn(passwd, 5)).toBeNull();
  });

  it("is recognised by its daemon's command line, built or from source", () => {
    expect(
      isDaemonCmdline('/usr/bin/node\0/x/dist/orchestrator/daemon/entry.js\0--topology\0/x/seed.yaml\0'),
    ).toBe(true);
    expect(
      isDaemonCmdline('node\0--import\0tsx\0/x/orchestrator/daemon/entry.ts\0--topology\0s.yaml\0'),
    ).toBe(true);
    expect(
      isDaemonCmdline('/usr/bin/node\0/x/dist/bundle/orchestrator/daemon/entry.cjs\0--topology\0s.yaml\0'),
    ).toBe(true);
    expect(isDaemonCmdline('vim\0orchestrator/daemon/entry.ts\0')).toBe(false);
  });
});
