/**
 * The switch that turns a skipped integration suite into a failed one: a fake requirement that is
 * missing skips with one line by default, and fails under DCBOX_TESTS=required (or, for the Docker
 * part only, under the older DCBOX_DOCKER_TESTS=required) naming what is missing and how to get it.
 */
import { describe, expect, it } from 'vitest';
import { type Requirement, unmet } from './requirements.js';

const missingTool: Requirement = {
  name: 'faketool',
  problem: () => 'no `faketool` binary on the PATH',
  install: 'run `npm run setup` (scripts/setup.sh) as root',
};
const missingEngine: Requirement = {
  name: 'fakeengine',
  docker: true,
  problem: () => 'no engine answers',
  install: 'run `bash scripts/docker-setup.sh` as root',
};
const present: Requirement = { name: 'there', problem: () => null, install: 'nothing' };

/** Runs `unmet` with a fake environment and collects what it prints. */
function check(needs: Requirement[], env: Record<string, string>) {
  const lines: string[] = [];
  const run = () => unmet('test/fake.test.ts', needs, env, (l) => lines.push(l));
  return { run, lines };
}

describe('integration suite requirements', () => {
  it('lets a suite run when everything it needs is there, whatever the switch', () => {
    const { run, lines } = check([present], { DCBOX_TESTS: 'required' });
    expect(run()).toBeNull();
    expect(lines).toEqual([]);
  });

  it('skips a suite whose requirement is missing and prints one line saying why and how to install it', () => {
    const { run, lines } = check([present, missingTool], {});
    expect(run()).toMatch(/faketool: no `faketool` binary/);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^test\/fake\.test\.ts skipped: faketool: .*scripts\/setup\.sh/);
  });

  it('fails the suite under DCBOX_TESTS=required, naming what is missing and how to install it', () => {
    const { run, lines } = check([present, missingTool], { DCBOX_TESTS: 'required' });
    expect(run).toThrow(
      /test\/fake\.test\.ts is required to run \(DCBOX_TESTS=required\) but cannot: faketool: no `faketool` binary on the PATH; run `npm run setup` \(scripts\/setup\.sh\) as root/,
    );
    expect(lines).toEqual([]);
  });

  it('keeps DCBOX_DOCKER_TESTS=required as the switch for the Docker part alone', () => {
    expect(check([missingEngine], { DCBOX_DOCKER_TESTS: 'required' }).run).toThrow(
      /DCBOX_DOCKER_TESTS=required.*fakeengine: no engine answers; run `bash scripts\/docker-setup\.sh`/,
    );
    const other = check([missingTool], { DCBOX_DOCKER_TESTS: 'required' });
    expect(other.run()).toMatch(/faketool/);
    expect(other.lines).toHaveLength(1);
  });

  it('names every missing requirement when several are', () => {
    expect(check([missingTool, missingEngine], { DCBOX_TESTS: 'required' }).run).toThrow(
      /faketool: .* — fakeengine: /,
    );
  });
});
