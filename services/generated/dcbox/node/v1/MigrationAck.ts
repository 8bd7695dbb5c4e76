// Original file: proto/node.proto

import type { Long } from '@grpc/proto-loader';

export interface MigrationAck {
  'vm'?: (string);
  'host'?: (string);
  'resumed_at_ms'?: (number | string | Long);
  'bytes_received'?: (number | string | Long);
  'pages_received'?: (number | string | Long);
}

export interface MigrationAck__Output {
  'vm': (string);
  'host': (string);
  'resumed_at_ms': (number);
  'bytes_received': (number);
  'pages_received': (number);
}
