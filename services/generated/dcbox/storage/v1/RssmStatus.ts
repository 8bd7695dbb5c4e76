// Original file: proto/storage.proto

import type { Long } from '@grpc/proto-loader';

export interface RssmStatus {
  'name'?: (string);
  'bay'?: (number);
  'zoned_hosts'?: (string)[];
  'forwarded_ios'?: (number | string | Long);
  'errors'?: (number | string | Long);
  'controller_reachable'?: (boolean);
}

export interface RssmStatus__Output {
  'name': (string);
  'bay': (number);
  'zoned_hosts': (string)[];
  'forwarded_ios': (number);
  'errors': (number);
  'controller_reachable': (boolean);
}
