// Original file: proto/node.proto


export interface CreateVmRequest {
  'name'?: (string);
  'memory_mib'?: (number);
  'disk_path'?: (string);
  'disk_size_mib'?: (number);
  'switch_name'?: (string);
}

export interface CreateVmRequest__Output {
  'name': (string);
  'memory_mib': (number);
  'disk_path': (string);
  'disk_size_mib': (number);
  'switch_name': (string);
}
