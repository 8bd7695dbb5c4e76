// Original file: proto/cluster.proto

import type { Long } from '@grpc/proto-loader';

export interface MigrationStats {
  'vm'?: (string);
  'from'?: (string);
  'to'?: (string);
  'kind'?: (string);
  'passes'?: (number);
  'bytes_copied'?: (number | string | Long);
  'duration_ms'?: (number | string | Long);
  'blackout_ms'?: (number | string | Long);
  'pass_bytes'?: (number | string | Long)[];
  'paused_at_ms'?: (number | string | Long);
  'resumed_at_ms'?: (number | string | Long);
}

export interface MigrationStats__Output {
  'vm': (string);
  'from': (string);
  'to': (string);
  'kind': (string);
  'passes': (number);
  'bytes_copied': (number);
  'duration_ms': (number);
  'blackout_ms': (number);
  'pass_bytes': (number)[];
  'paused_at_ms': (number);
  'resumed_at_ms': (number);
}
