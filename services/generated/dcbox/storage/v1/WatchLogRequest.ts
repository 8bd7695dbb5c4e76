// Original file: proto/storage.proto

import type { Long } from '@grpc/proto-loader';

export interface WatchLogRequest {
  'after_seq'?: (number | string | Long);
}

export interface WatchLogRequest__Output {
  'after_seq': (number);
}
