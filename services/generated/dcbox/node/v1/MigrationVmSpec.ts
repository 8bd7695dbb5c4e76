// Original file: proto/node.proto

import type { Long } from '@grpc/proto-loader';

export interface MigrationVmSpec {
  'name'?: (string);
  'memory_mib'?: (number);
  'disk_path'?: (string);
  'lun'?: (string);
  'disk_offset_bytes'?: (number | string | Long);
  'disk_size_bytes'?: (number | string | Long);
  'switch_name'?: (string);
  'dirty_pages_per_sec'?: (number);
}

export interface MigrationVmSpec__Output {
  'name': (string);
  'memory_mib': (number);
  'disk_path': (string);
  'lun': (string);
  'disk_offset_bytes': (number);
  'disk_size_bytes': (number);
  'switch_name': (string);
  'dirty_pages_per_sec': (number);
}
