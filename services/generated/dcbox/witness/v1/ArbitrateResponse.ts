// Original file: proto/witness.proto

import type { Long } from '@grpc/proto-loader';

export interface ArbitrateResponse {
  'outcome'?: (string);
  'owner'?: (string);
  'epoch'?: (number | string | Long);
  'retry_after_ms'?: (number);
  'config_version'?: (number | string | Long);
  'reason'?: (string);
}

export interface ArbitrateResponse__Output {
  'outcome': (string);
  'owner': (string);
  'epoch': (number);
  'retry_after_ms': (number);
  'config_version': (number);
  'reason': (string);
}
