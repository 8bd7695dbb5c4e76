// Original file: proto/node.proto

import type { DiskView as _dcbox_node_v1_DiskView, DiskView__Output as _dcbox_node_v1_DiskView__Output } from '../../../dcbox/node/v1/DiskView';

export interface PathsResponse {
  'node'?: (string);
  'mpio_enabled'?: (boolean);
  'disks'?: (_dcbox_node_v1_DiskView)[];
}

export interface PathsResponse__Output {
  'node': (string);
  'mpio_enabled': (boolean);
  'disks': (_dcbox_node_v1_DiskView__Output)[];
}
