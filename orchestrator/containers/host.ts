/**
 * The entry point of the dcbox image (there is no shell in it): one emulated host per container,
 * running the host's NATS server and its service as children, exiting when either ends so that
 * Docker sees the host die; or, with `--backplane`, the compose/testcontainers backplane.
 *
 *   --dir DIR [--log-files]        the host's files are already in DIR (the docker runtime
 *                                  writes them on the Docker host and mounts the folder)
 *   --topology FILE --host NAME --subnet 198.19.N.0/24 [--timing T] [--run ID]
 *                                  derive the host's files from the topology (docker-compose.yml,
 *                                  the testcontainers helper), with the address plan of names.ts
 *   --backplane --topology FILE --subnet … [--select LABEL=VALUE] [--dashboard]
 *                                  serve the backplane over the Docker Engine API (backplane.ts)
 *
 * The folder holds what runs in or talks to dcbox containers: host.ts (this entry), args.ts
 * (the container's arguments), backplane.ts (the compose/testcontainers backplane),
 * engine-api.ts (the Docker Engine API over its socket), health.ts (the image's health check),
 * and, for the Docker host, docker-cli.ts (the docker CLI and networks), names.ts (names,
 * labels, ports, the address plan), image.ts (the app image), sweep.ts (what crashed runs
 * left), power.ts (container power shared by all three Docker clients) and wait-healthy.ts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceConfig } from '../../services/process/config.js';
import { projectRoot } from '../../services/transport/grpc.js';
import { hostFiles } from '../runtime/host-config.js';
import { serviceArgv } from '../runtime/service-argv.js';
import { argValue, containerTopology } from './args.js';
import { BACKPLANE_PORT, backplaneAddress, CONTAINER_DIR, containerAddresses } from './names.js';

/** Writes one host's config.json and nats.conf into `dir`, derived from the topology. */
export function writeDerivedFiles(argv: string[], host: string, dir: string): void {
  const { topo, prefix, runId } = containerTopology(argv);
  const plan = topo.hosts.find((h) => h.name.toLowerCase() === host.toLowerCase());
  if (!plan)
    throw new Error(
      `--host ${host}: not a host of ${topo.name} (${topo.hosts.map((h) => h.name).join(', ')})`,
    );
  const addrs = containerAddresses(
    topo.hosts.map((h) => h.name),
    prefix,
  );
  const files = hostFiles({
    runId,
    topo,
    plan,
    addresses: new Map(addrs.map((a) => [a.name, a])),
    dir,
    backplane: `${backplaneAddress(prefix)}:${BACKPLANE_PORT}`,
    // The helper that started the containers made the token and hands it over in the
    // environment (readable by root only, unlike the command line); compose may give none.
    runToken: process.env.DCBOX_RUN_TOKEN || null,
  });
  mkdirSync(join(dir, 'data'), { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(files.config, null, 2));
  writeFileSync(join(dir, 'nats.conf'), files.natsConf);
}

/** Runs the host's two processes until one ends or the container is asked to stop. */
function runHost(dir: string, logFiles: boolean): void {
  const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as ServiceConfig;
  const children: ChildProcess[] = [];
  const start = (argv: string[], log: string) => {
    const [cmd, ...args] = argv;
    const child = spawn(cmd as string, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    // Every line reaches `docker logs` (the testcontainers log wait reads it there); with
    // --log-files also the host's folder, where `dcbox` keeps every runtime's logs.
    const file = logFiles ? createWriteStream(join(dir, log), { flags: 'a' }) : null;
    for (const stream of [child.stdout, child.stderr])
      stream?.on('data', (d: Buffer) => {
        process.stderr.write(d);
        file?.write(d);
      });
    child.on('exit', (code, signal) => {
      process.stderr.write(
        `container-host: ${argv[0]} ended (${signal ?? `exit ${code}`}); stopping the host\n`,
      );
      stop(code ?? 1);
    });
    children.push(child);
  };
  let stopping = false;
  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
    setTimeout(() => process.exit(code), 2000).unref();
    Promise.all(
      children.map((c) =>
        c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : null,
      ),
    ).then(() => process.exit(code));
  };
  process.on('SIGTERM', () => stop(0));
  process.on('SIGINT', () => stop(0));
  start(['nats-server', '-c', join(dir, 'nats.conf')], 'nats.log');
  start(serviceArgv(process.execPath, projectRoot, cfg.component, join(dir, 'config.json')), 'service.log');
}

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--backplane')) {
    const { runBackplane } = await import('./backplane.js');
    await runBackplane(argv);
    return;
  }
  const given = argValue(argv, 'dir');
  const host = argValue(argv, 'host');
  const dir = given ?? CONTAINER_DIR;
  if (!given) {
    if (!host) throw new Error('give --dir DIR, or --host NAME with --topology and --subnet');
    writeDerivedFiles(argv, host, dir);
  }
  runHost(dir, argv.includes('--log-files'));
}

// Started as a program (the image's entry point), not imported.
if (/containers\/host\.[jt]s$/.test(process.argv[1] ?? '')) {
  main(process.argv.slice(2)).catch((err: Error) => {
    process.stderr.write(`container-host: ${err.message}\n`);
    process.exit(2);
  });
}
