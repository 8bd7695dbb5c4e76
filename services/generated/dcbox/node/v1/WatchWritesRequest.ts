// Original file: proto/node.proto

import type { Long } from '@grpc/proto-loader';

export interface WatchWritesRequest {
  'after_seq'?: (number | string | Long);
}

export interface WatchWritesRequest__Output {
  'after_seq': (number);
}
