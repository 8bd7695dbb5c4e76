// Original file: proto/node.proto

import type { SeqRange as _dcbox_node_v1_SeqRange, SeqRange__Output as _dcbox_node_v1_SeqRange__Output } from '../../../dcbox/node/v1/SeqRange';
import type { Long } from '@grpc/proto-loader';

export interface MigrationDeviceState {
  'workload_enabled'?: (boolean);
  'interval_ms'?: (number);
  'next_seq'?: (number | string | Long);
  'acked'?: (_dcbox_node_v1_SeqRange)[];
  'failed_writes'?: (number | string | Long);
  'unknown_writes'?: (number | string | Long);
  'last_error'?: (string);
  'dirty_pages_per_sec'?: (number);
  'uptime_ms'?: (number | string | Long);
  'boot_left_ms'?: (number | string | Long);
}

export interface MigrationDeviceState__Output {
  'workload_enabled': (boolean);
  'interval_ms': (number);
  'next_seq': (number);
  'acked': (_dcbox_node_v1_SeqRange__Output)[];
  'failed_writes': (number);
  'unknown_writes': (number);
  'last_error': (string);
  'dirty_pages_per_sec': (number);
  'uptime_ms': (number);
  'boot_left_ms': (number);
}
