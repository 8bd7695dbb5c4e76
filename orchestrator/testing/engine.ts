/**
 * The Docker side of the testcontainers helper, through testcontainers' client (dockerode): the
 * app image, the run's network, its containers, their power, and the sweep of every run.
 */
import { type ContainerRuntimeClient, GenericContainer, getContainerRuntimeClient } from 'testcontainers';
import {
  assertBuilt,
  dockerSetupCommand,
  imageSources,
  missingBaseImage,
  withContext,
} from '../containers/image.js';
import {
  BASE_IMAGE,
  LABEL_IMAGE,
  LABEL_RUN,
  LABEL_SOURCE,
  SUBNET_THIRD_OCTETS,
} from '../containers/names.js';
import type { ContainerPower } from '../containers/power.js';

/**
 * testcontainers' client of the engine, or an error that says what dcbox needs: a Docker engine
 * answering (the message of testcontainers alone names none of dcbox's ways to start one).
 */
export async function engineClient(root: string): Promise<ContainerRuntimeClient> {
  try {
    return await getContainerRuntimeClient();
  } catch (err) {
    throw new Error(
      `dcbox/testing needs a Docker engine and none answers (${(err as Error).message}); start one, e.g. as root with \`${dockerSetupCommand(root)}\``,
      { cause: err },
    );
  }
}

/** A container with a fixed address on a network with an explicit subnet. */
export class HostContainer extends GenericContainer {
  withAddress(network: string, address: string): this {
    this.networkMode = network;
    this.createOpts.NetworkingConfig = {
      EndpointsConfig: { [network]: { IPAMConfig: { IPv4Address: address } } },
    };
    return this;
  }
}

/**
 * Builds the image from the dcbox package in `root` (from a build context of its files and the
 * packages it loads, wherever they are installed) unless one built from the same sources exists.
 */
export async function ensureImage(
  client: ContainerRuntimeClient,
  root: string,
  image: string,
): Promise<void> {
  assertBuilt(root);
  const sources = imageSources(root);
  try {
    const info = await client.container.dockerode.getImage(image).inspect();
    if (info.Config?.Labels?.[LABEL_SOURCE] === sources.hash) return;
  } catch {
    // No such image yet.
  }
  const base = await client.container.dockerode
    .getImage(BASE_IMAGE)
    .inspect()
    .catch(() => null);
  if (!base) throw missingBaseImage(root);
  await withContext(sources, (dir) =>
    GenericContainer.fromDockerfile(dir)
      .withBuildArgs({ SOURCE: sources.hash })
      .build(image, { deleteOnExit: false }),
  );
}

/** The run's network: removed by `stop()`; its /24 prefix ("198.19.N"). */
export interface RunNetwork {
  net: { remove(): Promise<unknown> };
  prefix: string;
}

/** Creates the run's labelled network on the first free 198.19.N.0/24. */
export async function createNetwork(client: ContainerRuntimeClient, runId: string): Promise<RunNetwork> {
  let last: unknown;
  for (const n of SUBNET_THIRD_OCTETS) {
    const prefix = `198.19.${n}`;
    try {
      const net = await client.container.dockerode.createNetwork({
        Name: `dcbox-${runId}`,
        Driver: 'bridge',
        IPAM: { Config: [{ Subnet: `${prefix}.0/24`, Gateway: `${prefix}.1` }] },
        Labels: { [LABEL_RUN]: runId },
      });
      return { net, prefix };
    } catch (err) {
      last = err;
      if (!/overlap|in use/i.test(String((err as Error).message))) break;
    }
  }
  throw new Error(`could not create a network in 198.19.0.0/16: ${(last as Error)?.message}`);
}

/** Container power through testcontainers' client (dockerode); a failed kill or wait is ignored. */
export function testcontainersPower(client: ContainerRuntimeClient): ContainerPower {
  const get = (id: string) => client.container.getById(id);
  return {
    kill: (id) => get(id).kill().then(ignore, ignore),
    waitStopped: (id) => get(id).wait().then(ignore, ignore),
    start: (id) => client.container.start(get(id)),
    async initPid(id) {
      const info = await client.container.inspect(get(id));
      return info.State.Running && info.State.Pid ? info.State.Pid : null;
    },
  };
}

function ignore(): void {}

/** Removes every container of a run. */
export async function removeRun(client: ContainerRuntimeClient, runId: string): Promise<void> {
  const ours = await client.container.dockerode.listContainers({
    all: true,
    filters: { label: [`${LABEL_RUN}=${runId}`] },
  });
  await Promise.all(
    ours.map((c) =>
      client.container.dockerode
        .getContainer(c.Id)
        .remove({ force: true, v: true })
        .catch(() => undefined),
    ),
  );
}

/**
 * Removes every container and network of any dcbox run on this engine (a global teardown after
 * a crashed test run), and with `images` also the dcbox app images; the base image stays cached.
 */
export async function sweepDataCenters(opts: { images?: boolean } = {}): Promise<{
  containers: number;
  networks: number;
  images: number;
}> {
  const client = await getContainerRuntimeClient();
  const d = client.container.dockerode;
  const containers = await d.listContainers({ all: true, filters: { label: [LABEL_RUN] } });
  await Promise.all(
    containers.map((c) =>
      d
        .getContainer(c.Id)
        .remove({ force: true, v: true })
        .catch(() => undefined),
    ),
  );
  const networks = await d.listNetworks({ filters: { label: [LABEL_RUN] } });
  await Promise.all(
    networks.map((n) =>
      d
        .getNetwork(n.Id)
        .remove()
        .catch(() => undefined),
    ),
  );
  let images = 0;
  if (opts.images) {
    const list = await d.listImages({ filters: { label: [`${LABEL_IMAGE}=app`] } });
    for (const i of list) {
      await d
        .getImage(i.Id)
        .remove({ force: true })
        .then(() => images++)
        .catch(() => undefined);
    }
  }
  return { containers: containers.length, networks: networks.length, images };
}
