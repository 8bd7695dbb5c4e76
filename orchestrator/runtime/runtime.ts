/**
 * Host runtimes: where an emulated host lives and how its network can be cut. This module picks
 * one; the folder holds
 * - types.ts: the Runtime interface, host addresses, netem specs, the unsupported-request error;
 * - netns.ts: each host a network namespace with its own address on a bridge (the default when
 *   root on Linux); partitions are iptables rules inside the namespaces;
 * - local.ts: every host on 127.0.0.1 ports; kills and freezes work, partitions cannot;
 * - docker.ts: each host a container on a labelled Docker network; the runtime owns the
 *   containers (start, kill), and partitions are the netns runtime's rules applied from the
 *   Docker host inside each container's network namespace (nsenter);
 * - exec.ts: running commands; host-config.ts: a host's config.json and nats.conf;
 *   service-argv.ts: the command line of a host's service.
 */

import { engineProblem } from '../containers/docker-cli.js';
import { DockerRuntime } from './docker.js';
import { LocalRuntime } from './local.js';
import { NetnsRuntime } from './netns.js';
import type { Runtime, RuntimeKind } from './types.js';

export { DockerRuntime } from './docker.js';
export { LocalRuntime } from './local.js';
export { hasNetem, NetnsRuntime, namespaceOf, netemArgs } from './netns.js';
export * from './types.js';

/** netns when root on Linux with ip and iptables, otherwise local. */
export function defaultRuntime(): RuntimeKind {
  return process.platform === 'linux' && process.getuid?.() === 0 ? 'netns' : 'local';
}

/** The runtime of a kind; `runId` names and labels what the docker runtime creates. */
export function makeRuntime(kind: RuntimeKind, runId = `${Date.now().toString(36)}-${process.pid}`): Runtime {
  if (kind === 'docker') {
    if (process.getuid?.() !== 0)
      throw new Error(
        'the docker runtime needs root: partitions enter the containers’ network namespaces from the Docker host (nsenter)',
      );
    const problem = engineProblem();
    if (problem) throw new Error(`the docker runtime needs a Docker engine: ${problem}`);
    return new DockerRuntime(runId);
  }
  if (kind === 'netns') {
    if (process.getuid?.() !== 0)
      throw new Error('the netns runtime needs root (network namespaces and iptables); use --runtime local');
    return new NetnsRuntime();
  }
  return new LocalRuntime();
}
