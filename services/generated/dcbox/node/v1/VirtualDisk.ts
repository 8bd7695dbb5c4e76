// Original file: proto/node.proto

import type { Long } from '@grpc/proto-loader';

export interface VirtualDisk {
  'path'?: (string);
  'lun'?: (string);
  'offset_bytes'?: (number | string | Long);
  'size_bytes'?: (number | string | Long);
}

export interface VirtualDisk__Output {
  'path': (string);
  'lun': (string);
  'offset_bytes': (number);
  'size_bytes': (number);
}
