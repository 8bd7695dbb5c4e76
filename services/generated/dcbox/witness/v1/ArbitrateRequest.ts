// Original file: proto/witness.proto

import type { Long } from '@grpc/proto-loader';

export interface ArbitrateRequest {
  'node'?: (string);
  'config_version'?: (number | string | Long);
}

export interface ArbitrateRequest__Output {
  'node': (string);
  'config_version': (number);
}
