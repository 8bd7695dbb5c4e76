// Original file: proto/node.proto

import type { Long } from '@grpc/proto-loader';

export interface IoLoadResult {
  'ops'?: (number | string | Long);
  'bytes'?: (number | string | Long);
  'duration_ms'?: (number);
  'ops_per_sec'?: (number | string);
  'bytes_per_sec'?: (number | string);
  'latency_p50_us'?: (number);
  'latency_p99_us'?: (number);
  'latency_max_us'?: (number);
  'errors'?: (number);
  'first_error'?: (string);
}

export interface IoLoadResult__Output {
  'ops': (number);
  'bytes': (number);
  'duration_ms': (number);
  'ops_per_sec': (number);
  'bytes_per_sec': (number);
  'latency_p50_us': (number);
  'latency_p99_us': (number);
  'latency_max_us': (number);
  'errors': (number);
  'first_error': (string);
}
