// Original file: proto/orchestrator.proto

import type { Long } from '@grpc/proto-loader';

export interface StreamEvent {
  'seq'?: (number | string | Long);
  'json'?: (string);
}

export interface StreamEvent__Output {
  'seq': (number);
  'json': (string);
}
