// Original file: proto/node.proto

import type { Long } from '@grpc/proto-loader';

export interface CreateVmRequest {
  'name'?: (string);
  'memory_mib'?: (number);
  'disk_path'?: (string);
  'disk_size_mib'?: (number);
  'switch_name'?: (string);
  'disk_offset_bytes'?: (number | string | Long);
}

export interface CreateVmRequest__Output {
  'name': (string);
  'memory_mib': (number);
  'disk_path': (string);
  'disk_size_mib': (number);
  'switch_name': (string);
  'disk_offset_bytes': (number);
}
