// Original file: proto/storage.proto

import type { Long } from '@grpc/proto-loader';

export interface LunFaultState {
  'lun'?: (string);
  'kind'?: (string);
  'delay_ms'?: (number);
  'error_rate'?: (number | string);
  'expires_at_ms'?: (number | string | Long);
  'affected_ios'?: (number | string | Long);
}

export interface LunFaultState__Output {
  'lun': (string);
  'kind': (string);
  'delay_ms': (number);
  'error_rate': (number);
  'expires_at_ms': (number);
  'affected_ios': (number);
}
