// Original file: proto/cluster.proto

import type { Long } from '@grpc/proto-loader';

export interface EventsRequest {
  'since_index'?: (number | string | Long);
}

export interface EventsRequest__Output {
  'since_index': (number);
}
