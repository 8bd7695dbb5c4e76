/**
 * The schema of a topology file (zod, with its defaults) and the sizes it is written in.
 */
import { z } from 'zod';
import { TIMINGS } from './timing.js';

const name = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9-]{0,14}$/, 'a host name: a letter, then up to 14 letters, digits or dashes');
const size = z
  .string()
  .regex(/^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/, 'a size such as 10GB or 512MiB');

/**
 * One BladeCenter S chassis: its management module, its blades (bays 1–6), the I/O modules in
 * bays 3 and 4 that lead its blades to the storage, and its Disk Storage Modules.
 */
const Chassis = z.strictObject({
  name: z.string().min(1),
  model: z.string().default('IBM BladeCenter S'),
  managementModule: z.strictObject({
    host: name,
    credentials: z
      .strictObject({ username: z.string().min(1), password: z.string().min(1) })
      .default({ username: 'USERID', password: 'PASSW0RD' }),
    // AMM CLI (telnet) and Redfish ports; unset: 23 and 8000, or above the gRPC port on 127.0.0.1
    // (services/management-module/endpoints.ts).
    telnetPort: z.int().min(1).max(65535).optional(),
    redfishPort: z.int().min(1).max(65535).optional(),
    // Redfish is HTTPS with a self-signed certificate unless this is false (plain HTTP).
    redfishTls: z.boolean().optional(),
    loginFailDelayMs: z.int().min(0).max(60_000).optional(),
    sessionTimeoutS: z.int().min(30).max(86_400).optional(),
    // How long a soft power off waits for the blade's OS to shut down before it reports failure
    // and leaves the blade on (services/management-module/core.ts SOFT_OFF_TIMEOUT_MS).
    softOffTimeoutS: z.int().min(1).max(3600).optional(),
  }),
  blades: z.array(z.strictObject({ bay: z.int().min(1).max(6), node: name })).min(1),
  // At least one, which check.ts asks for naming the chassis: without one its blades have no path
  // to the storage.
  ioModules: z
    .array(z.strictObject({ bay: z.int().min(1).max(4), host: name, type: z.enum(['rssm']) }))
    .default([]),
  storageModules: z
    .array(z.strictObject({ bay: z.int().min(1).max(2), drives: z.int().min(0).max(6) }))
    .default([]),
});

/** A topology file: the chassis, storage, witness, nodes, workstation, cluster and VMs. */
export const Topology = z.strictObject({
  name: z.string().min(1),
  network: z.strictObject({ subnet: z.string() }).optional(),
  // One chassis as a mapping (every topology before several chassis), or a list of chassis that
  // share the one storage controller (docs/domain.md §Several chassis).
  chassis: z.union([Chassis, z.array(Chassis).min(1)]),
  storage: z.strictObject({
    host: name,
    luns: z
      .array(
        z.strictObject({
          name: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'a LUN name of letters, digits, _ or -'),
          size,
          mappedTo: z.array(name).min(1),
        }),
      )
      .min(1),
  }),
  witness: z
    .strictObject({
      host: name,
      kind: z.enum(['disk', 'file-share']),
      lun: z.string().optional(),
    })
    .optional(),
  nodes: z
    .array(
      z.strictObject({
        name,
        features: z.array(z.string()).default([]),
        mpio: z
          .strictObject({
            enabled: z.boolean(),
            policy: z.enum(['failover-only', 'round-robin']).default('failover-only'),
          })
          .default({ enabled: true, policy: 'failover-only' }),
        virtualSwitches: z.array(z.string().min(1)).default([]),
      }),
    )
    .min(1)
    .max(16, 'at most 16 nodes: the 2008 R2 failover-cluster limit (docs/domain.md §Resources and groups)'),
  workstation: z.strictObject({ host: name }),
  cluster: z.strictObject({
    name: z.string().min(1),
    quorum: z.enum(['node-majority', 'node-and-disk-majority', 'node-and-file-share-majority', 'disk-only']),
    sharedVolumes: z
      .array(
        z.strictObject({
          lun: z.string(),
          path: z.string().regex(/^C:\\ClusterStorage\\Volume\d+$/, 'C:\\ClusterStorage\\VolumeN'),
        }),
      )
      .default([]),
  }),
  vms: z
    .array(
      z.strictObject({
        name: z
          .string()
          .regex(/^[A-Za-z][A-Za-z0-9-]{0,63}$/, 'a VM name: a letter, then letters, digits or dashes'),
        memoryMiB: z.int().min(32).max(65536),
        disk: z
          .string()
          .regex(
            /^C:\\ClusterStorage\\Volume\d+\\.+\.vhd$/i,
            'a .vhd path under C:\\ClusterStorage\\VolumeN\\',
          ),
        diskSizeMiB: z.int().min(1).max(65536).default(64),
        switch: z.string(),
        node: name,
      }),
    )
    .default([]),
  timing: z.enum(Object.keys(TIMINGS) as [string, ...string[]]).default('default'),
});

/** A topology file as written, after schema defaults. */
export type TopologySpec = z.infer<typeof Topology>;

/** One chassis of a topology, after schema defaults. */
export type ChassisSpec = z.infer<typeof Chassis>;

/** A chassis with the field path it was written at: `chassis` alone, or `chassis[i]` in a list. */
export interface PlacedChassis {
  chassis: ChassisSpec;
  at: (string | number)[];
}

/** Every chassis of a topology in file order, whichever form the file used. */
export function chassisList(spec: Pick<TopologySpec, 'chassis'>): PlacedChassis[] {
  if (Array.isArray(spec.chassis)) return spec.chassis.map((chassis, i) => ({ chassis, at: ['chassis', i] }));
  return [{ chassis: spec.chassis, at: ['chassis'] }];
}

/** Parses a size such as 10GB (SI) or 512MiB (binary) into bytes. */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/.exec(text);
  if (!m) throw new Error(`not a size: ${text}`);
  const units: Record<string, number> = {
    B: 1,
    KB: 1e3,
    MB: 1e6,
    GB: 1e9,
    TB: 1e12,
    KiB: 2 ** 10,
    MiB: 2 ** 20,
    GiB: 2 ** 30,
    TiB: 2 ** 40,
  };
  return Math.round(Number(m[1]) * (units[m[2] as string] as number));
}
