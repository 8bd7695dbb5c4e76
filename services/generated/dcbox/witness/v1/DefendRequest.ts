// Original file: proto/witness.proto

import type { Long } from '@grpc/proto-loader';

export interface DefendRequest {
  'node'?: (string);
  'epoch'?: (number | string | Long);
}

export interface DefendRequest__Output {
  'node': (string);
  'epoch': (number);
}
