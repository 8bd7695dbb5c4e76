// Original file: proto/orchestrator.proto

import type { Long } from '@grpc/proto-loader';

export interface EventsRequest {
  'after_seq'?: (number | string | Long);
  'follow'?: (boolean);
}

export interface EventsRequest__Output {
  'after_seq': (number);
  'follow': (boolean);
}
