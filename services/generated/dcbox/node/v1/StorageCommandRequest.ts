// Original file: proto/node.proto

import type { Long } from '@grpc/proto-loader';

export interface StorageCommandRequest {
  'lun'?: (string);
  'op'?: (string);
  'victim_host'?: (string);
  'offset'?: (number | string | Long);
  'data'?: (Buffer | Uint8Array | string);
  'length'?: (number);
}

export interface StorageCommandRequest__Output {
  'lun': (string);
  'op': (string);
  'victim_host': (string);
  'offset': (number);
  'data': (Buffer);
  'length': (number);
}
