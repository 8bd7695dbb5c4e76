// Original file: proto/node.proto

import type { VirtualDisk as _dcbox_node_v1_VirtualDisk, VirtualDisk__Output as _dcbox_node_v1_VirtualDisk__Output } from '../../../dcbox/node/v1/VirtualDisk';
import type { SeqRange as _dcbox_node_v1_SeqRange, SeqRange__Output as _dcbox_node_v1_SeqRange__Output } from '../../../dcbox/node/v1/SeqRange';
import type { Long } from '@grpc/proto-loader';

export interface DiskStatus {
  'vm'?: (string);
  'disk'?: (_dcbox_node_v1_VirtualDisk | null);
  'record_size'?: (number);
  'acked'?: (_dcbox_node_v1_SeqRange)[];
  'failed_writes'?: (number | string | Long);
  'unknown_writes'?: (number | string | Long);
  'last_error'?: (string);
  'next_seq'?: (number | string | Long);
}

export interface DiskStatus__Output {
  'vm': (string);
  'disk': (_dcbox_node_v1_VirtualDisk__Output | null);
  'record_size': (number);
  'acked': (_dcbox_node_v1_SeqRange__Output)[];
  'failed_writes': (number);
  'unknown_writes': (number);
  'last_error': (string);
  'next_seq': (number);
}
