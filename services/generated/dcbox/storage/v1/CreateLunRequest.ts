// Original file: proto/storage.proto

import type { Long } from '@grpc/proto-loader';

export interface CreateLunRequest {
  'name'?: (string);
  'size_bytes'?: (number | string | Long);
  'mapped_hosts'?: (string)[];
}

export interface CreateLunRequest__Output {
  'name': (string);
  'size_bytes': (number);
  'mapped_hosts': (string)[];
}
