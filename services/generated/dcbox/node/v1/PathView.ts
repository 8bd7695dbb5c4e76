// Original file: proto/node.proto

import type { Long } from '@grpc/proto-loader';

export interface PathView {
  'name'?: (string);
  'io_bay'?: (number);
  'state'?: (string);
  'io_count'?: (number | string | Long);
  'errors'?: (number | string | Long);
  'last_error'?: (string);
}

export interface PathView__Output {
  'name': (string);
  'io_bay': (number);
  'state': (string);
  'io_count': (number);
  'errors': (number);
  'last_error': (string);
}
