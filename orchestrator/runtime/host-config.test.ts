import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { subnetPrefix } from '../containers/args.js';
import { backplaneAddress, containerAddresses } from '../containers/names.js';
import { parseTopology, resolveTopology } from '../topology/topology.js';
import { hostFiles } from './host-config.js';

const seedFile = join(import.meta.dirname, '..', '..', 'topologies', 'seed.yaml');
const topo = resolveTopology(parseTopology(readFileSync(seedFile, 'utf8'), 'seed.yaml'), seedFile, 'fast');

describe('host files on a Docker network', () => {
  const addrs = containerAddresses(
    topo.hosts.map((h) => h.name),
    '198.19.63',
  );
  const byName = new Map(addrs.map((a) => [a.name, a]));

  it('gives the hosts the netns order of addresses from .10, leaving .1 to the Docker host and .2 to the backplane', () => {
    expect(addrs.map((a) => `${a.name} ${a.address}`)).toEqual([
      'storage 198.19.63.10',
      'mm 198.19.63.11',
      'workstation 198.19.63.12',
      'rssm3 198.19.63.13',
      'rssm4 198.19.63.14',
      'quorum 198.19.63.15',
      'HVR2NODO1 198.19.63.16',
      'HVR2NODO2 198.19.63.17',
    ]);
    expect(backplaneAddress('198.19.63')).toBe('198.19.63.2');
  });

  it('routes each NATS server to every other host and never to itself, and points the MM at the backplane', () => {
    const plan = topo.hosts.find((h) => h.name === 'mm');
    if (!plan) throw new Error('the seed has an mm');
    const f = hostFiles({
      runId: 'r1',
      topo,
      plan,
      addresses: byName,
      dir: '/var/lib/dcbox',
      backplane: '198.19.63.2:27100',
      runToken: null,
    });
    const routes = f.natsConf.split('\n').filter((l) => l.includes('nats-route://'));
    expect(routes).toHaveLength(7);
    expect(f.natsConf).not.toContain('nats-route://198.19.63.11:');
    expect(f.natsConf).toContain('listen: "198.19.63.11:4222"');
    expect(f.config).toMatchObject({
      host: 'mm',
      address: '198.19.63.11',
      natsUrl: 'nats://198.19.63.11:4222',
      dataDir: '/var/lib/dcbox/data',
      backplane: '198.19.63.2:27100',
      timing: { name: 'fast' },
    });
    expect(f.config.hosts.map((h) => h.address)).toEqual(addrs.map((a) => a.address));
  });

  it("asks the run's token of every gRPC and NATS client and of every NATS route", () => {
    const plan = topo.hosts.find((h) => h.name === 'storage');
    if (!plan) throw new Error('the seed has a storage host');
    const token = 'c0ffee'.repeat(8);
    const f = hostFiles({
      runId: 'r1',
      topo,
      plan,
      addresses: byName,
      dir: '/d',
      backplane: 'b:1',
      runToken: token,
    });
    expect(f.config.runToken).toBe(token);
    expect(f.natsConf).toContain(`authorization { token: "${token}", timeout: 10 }`);
    expect(f.natsConf).toContain(`authorization { user: "dcbox", password: "${token}", timeout: 10 }`);
    const routes = f.natsConf.split('\n').filter((l) => l.includes('nats-route://'));
    expect(routes.every((r) => r.includes(`nats-route://dcbox:${token}@198.19.63.`))).toBe(true);
  });

  it('accepts only a /24 inside 198.18.0.0/15 for a container network', () => {
    expect(subnetPrefix('198.19.1.0/24')).toBe('198.19.1');
    expect(() => subnetPrefix('10.0.0.0/24')).toThrow(/inside 198\.18\.0\.0\/15/);
    expect(() => subnetPrefix('198.20.1.0/24')).toThrow(/inside 198\.18\.0\.0\/15/);
  });
});
