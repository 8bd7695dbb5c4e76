/** The local runtime: every host on 127.0.0.1 ports; kills and freezes work, partitions cannot. */
import { CONTROL_PORT, LOCAL_PORT_BASE } from '../run/paths.js';
import { type HostAddress, type Runtime, UnsupportedByRuntimeError } from './types.js';

/** Every host on 127.0.0.1, ten ports apart from LOCAL_PORT_BASE. */
export class LocalRuntime implements Runtime {
  readonly kind = 'local';
  readonly controlAddresses = [`127.0.0.1:${CONTROL_PORT}`];

  assign(names: string[]): HostAddress[] {
    return names.map((name, i) => ({
      name,
      address: '127.0.0.1',
      grpcPort: LOCAL_PORT_BASE + i * 10,
      natsPort: LOCAL_PORT_BASE + i * 10 + 1,
      clusterPort: LOCAL_PORT_BASE + i * 10 + 2,
      namespace: null,
    }));
  }

  setup(): void {}

  wrap(_host: HostAddress, argv: string[]): string[] {
    return argv;
  }

  filesDir(_host: HostAddress, dir: string): string {
    return dir;
  }

  partition(): string[] {
    throw new UnsupportedByRuntimeError(
      'a partition',
      'every host shares 127.0.0.1, so traffic between two hosts cannot be cut without cutting all of them; run as root on Linux to get the netns runtime',
    );
  }

  unpartition(): void {}

  heal(): void {}

  netem(): string {
    throw new UnsupportedByRuntimeError(
      'link degradation (netem)',
      'every host shares the loopback interface, so one host’s link cannot be slowed without slowing all of them; run as root on Linux to get the netns runtime',
    );
  }

  clearNetem(): void {}

  teardown(): void {}
}
