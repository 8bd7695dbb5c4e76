/**
 * The health check of a host container (the image has no shell and no grpc_health_probe):
 * `node /opt/dcbox/dist/orchestrator/containers/health.js` asks the host's own service over the
 * standard grpc.health.v1 protocol and exits 0 only when it answers SERVING. The backplane
 * container (no config.json) checks its own Backplane server the same way.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceConfig } from '../../services/process/config.js';
import { checkHealth } from '../../services/transport/grpc.js';
import { BACKPLANE_PORT, CONTAINER_DIR } from './names.js';

const config = join(process.env.DCBOX_DIR ?? CONTAINER_DIR, 'config.json');
const target = existsSync(config)
  ? (() => {
      const cfg = JSON.parse(readFileSync(config, 'utf8')) as ServiceConfig;
      return `${cfg.address}:${cfg.grpcPort}`;
    })()
  : `127.0.0.1:${BACKPLANE_PORT}`;

checkHealth(target, 2000).then(
  (ok) => {
    process.stdout.write(`${target}: ${ok ? 'SERVING' : 'not serving'}\n`);
    process.exit(ok ? 0 : 1);
  },
  () => process.exit(1),
);
