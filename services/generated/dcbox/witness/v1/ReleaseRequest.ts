// Original file: proto/witness.proto

import type { Long } from '@grpc/proto-loader';

export interface ReleaseRequest {
  'node'?: (string);
  'epoch'?: (number | string | Long);
}

export interface ReleaseRequest__Output {
  'node': (string);
  'epoch': (number);
}
