// Original file: proto/node.proto

import type { Long } from '@grpc/proto-loader';

export interface MigrationProgress {
  'bytes_done'?: (number | string | Long);
}

export interface MigrationProgress__Output {
  'bytes_done': (number);
}
