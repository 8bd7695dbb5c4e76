// Original file: proto/chassis.proto

import type { Long } from '@grpc/proto-loader';

export interface Bay {
  'kind'?: (string);
  'number'?: (number);
  'present'?: (boolean);
  'host'?: (string);
  'name'?: (string);
  'power'?: (string);
  'health'?: (string);
  'last_heartbeat_ms_ago'?: (number | string | Long);
  'module_type'?: (string);
  'drives'?: (number);
}

export interface Bay__Output {
  'kind': (string);
  'number': (number);
  'present': (boolean);
  'host': (string);
  'name': (string);
  'power': (string);
  'health': (string);
  'last_heartbeat_ms_ago': (number);
  'module_type': (string);
  'drives': (number);
}
