// Original file: proto/node.proto

import type { Long } from '@grpc/proto-loader';

export interface WriteEvent {
  'seq'?: (number | string | Long);
  'boot_id'?: (string);
  'time_ms'?: (number | string | Long);
  'phase'?: (string);
  'write_id'?: (number | string | Long);
  'vm'?: (string);
  'record_seq'?: (number | string | Long);
  'host'?: (string);
  'incarnation'?: (string);
  'hash'?: (string);
  'lun'?: (string);
  'offset'?: (number | string | Long);
  'error'?: (string);
  'missed'?: (number | string | Long);
}

export interface WriteEvent__Output {
  'seq': (number);
  'boot_id': (string);
  'time_ms': (number);
  'phase': (string);
  'write_id': (number);
  'vm': (string);
  'record_seq': (number);
  'host': (string);
  'incarnation': (string);
  'hash': (string);
  'lun': (string);
  'offset': (number);
  'error': (string);
  'missed': (number);
}
