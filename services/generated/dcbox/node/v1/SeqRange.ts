// Original file: proto/node.proto

import type { Long } from '@grpc/proto-loader';

export interface SeqRange {
  'first'?: (number | string | Long);
  'last'?: (number | string | Long);
}

export interface SeqRange__Output {
  'first': (number);
  'last': (number);
}
