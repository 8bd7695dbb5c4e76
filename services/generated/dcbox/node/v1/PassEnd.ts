// Original file: proto/node.proto

import type { Long } from '@grpc/proto-loader';

export interface PassEnd {
  'pass'?: (number);
  'pages'?: (number | string | Long);
}

export interface PassEnd__Output {
  'pass': (number);
  'pages': (number);
}
