// Original file: proto/node.proto

import type { VirtualDisk as _dcbox_node_v1_VirtualDisk, VirtualDisk__Output as _dcbox_node_v1_VirtualDisk__Output } from '../../../dcbox/node/v1/VirtualDisk';
import type { Long } from '@grpc/proto-loader';

export interface Vm {
  'name'?: (string);
  'state'?: (string);
  'memory_mib'?: (number);
  'disk'?: (_dcbox_node_v1_VirtualDisk | null);
  'switch_name'?: (string);
  'host'?: (string);
  'uptime_ms'?: (number | string | Long);
  'records_acked'?: (number | string | Long);
}

export interface Vm__Output {
  'name': (string);
  'state': (string);
  'memory_mib': (number);
  'disk': (_dcbox_node_v1_VirtualDisk__Output | null);
  'switch_name': (string);
  'host': (string);
  'uptime_ms': (number);
  'records_acked': (number);
}
