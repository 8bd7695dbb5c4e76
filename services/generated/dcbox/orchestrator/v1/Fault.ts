// Original file: proto/orchestrator.proto

import type { Long } from '@grpc/proto-loader';

export interface Fault {
  'id'?: (string);
  'kind'?: (string);
  'targets'?: (string)[];
  'started_at_ms'?: (number | string | Long);
  'expires_at_ms'?: (number | string | Long);
  'detail'?: (string);
  'status'?: (string);
}

export interface Fault__Output {
  'id': (string);
  'kind': (string);
  'targets': (string)[];
  'started_at_ms': (number);
  'expires_at_ms': (number);
  'detail': (string);
  'status': (string);
}
