// Original file: proto/node.proto

import type { MigrationVmSpec as _dcbox_node_v1_MigrationVmSpec, MigrationVmSpec__Output as _dcbox_node_v1_MigrationVmSpec__Output } from '../../../dcbox/node/v1/MigrationVmSpec';
import type { Long } from '@grpc/proto-loader';

export interface MigrationSetup {
  'source'?: (string);
  'kind'?: (string);
  'spec'?: (_dcbox_node_v1_MigrationVmSpec | null);
  'memory_bytes'?: (number | string | Long);
  'page_size'?: (number);
  'page_address'?: (string);
  'page_port'?: (number);
  'page_token'?: (Buffer | Uint8Array | string);
  'from_saved_state'?: (boolean);
}

export interface MigrationSetup__Output {
  'source': (string);
  'kind': (string);
  'spec': (_dcbox_node_v1_MigrationVmSpec__Output | null);
  'memory_bytes': (number);
  'page_size': (number);
  'page_address': (string);
  'page_port': (number);
  'page_token': (Buffer);
  'from_saved_state': (boolean);
}
