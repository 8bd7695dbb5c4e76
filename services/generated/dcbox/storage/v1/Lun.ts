// Original file: proto/storage.proto

import type { Long } from '@grpc/proto-loader';

export interface Lun {
  'name'?: (string);
  'size_bytes'?: (number | string | Long);
  'mapped_hosts'?: (string)[];
  'block_size'?: (number);
  'serial'?: (string);
}

export interface Lun__Output {
  'name': (string);
  'size_bytes': (number);
  'mapped_hosts': (string)[];
  'block_size': (number);
  'serial': (string);
}
