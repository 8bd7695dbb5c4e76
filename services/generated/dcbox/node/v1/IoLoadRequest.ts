// Original file: proto/node.proto

import type { Long } from '@grpc/proto-loader';

export interface IoLoadRequest {
  'lun'?: (string);
  'kind'?: (string);
  'block_size'?: (number);
  'sequential'?: (boolean);
  'depth'?: (number);
  'duration_ms'?: (number);
  'offset_base'?: (number | string | Long);
  'span_bytes'?: (number | string | Long);
}

export interface IoLoadRequest__Output {
  'lun': (string);
  'kind': (string);
  'block_size': (number);
  'sequential': (boolean);
  'depth': (number);
  'duration_ms': (number);
  'offset_base': (number);
  'span_bytes': (number);
}
