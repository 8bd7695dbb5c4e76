/**
 * The power of a host's container, the one sequence the docker runtime (docker CLI), the compose
 * and testcontainers backplane (Docker Engine API over its socket) and the testcontainers helper
 * (dockerode) all follow. Power off is SIGKILL of the container's init, which takes the host's
 * NATS server and service with it at once, as a cut of power does, and then waiting until the
 * container has stopped. Power on starts the same container again (same name, same address):
 * its new init pid is handed back so that the caller can enter the fresh network namespace (the
 * docker runtime applies the host's partition rules again there), and, when asked, it waits until
 * the host is ready (wait-healthy.ts: its service answers grpc.health.v1 with SERVING). This
 * module loads nothing, so that the daemon's light entry can hold the docker runtime.
 */

/**
 * What power needs of a container engine. Each client keeps its own manners: which failures it
 * ignores (killing a container that is not running) and whether it starts a running one.
 */
export interface ContainerPower {
  /** Sends SIGKILL to the container's init. */
  kill(container: string): Promise<void>;
  /** Resolves once the container has stopped (or the client gave up waiting). */
  waitStopped(container: string): Promise<void>;
  /** Starts the (stopped) container. */
  start(container: string): Promise<void>;
  /** The pid of the container's init as the Docker host sees it, or null when it is not running. */
  initPid(container: string): Promise<number | null>;
}

/** What to do once a container is powered on. */
export interface PowerOnOptions {
  /** Called with the container's new init pid (null: it is not running after all). */
  onStarted?: (initPid: number | null) => void;
  /** Resolves once the host is ready (e.g. waitHealthy); power on waits for it. */
  untilReady?: () => Promise<void>;
}

/** Cuts a container's power: SIGKILL of its init, then waits until it has stopped. */
export async function powerOff(engine: ContainerPower, container: string): Promise<void> {
  await engine.kill(container);
  await engine.waitStopped(container);
}

/** Restores a container's power: starts it, reports its init pid and waits for its service. */
export async function powerOn(
  engine: ContainerPower,
  container: string,
  opts: PowerOnOptions = {},
): Promise<void> {
  await engine.start(container);
  if (opts.onStarted) opts.onStarted(await engine.initPid(container));
  if (opts.untilReady) await opts.untilReady();
}
