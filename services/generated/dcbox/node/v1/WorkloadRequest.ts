// Original file: proto/node.proto


export interface WorkloadRequest {
  'vm'?: (string);
  'enabled'?: (boolean);
  'interval_ms'?: (number);
  'dirty_pages_per_sec'?: (number);
  '_dirty_pages_per_sec'?: "dirty_pages_per_sec";
}

export interface WorkloadRequest__Output {
  'vm': (string);
  'enabled': (boolean);
  'interval_ms': (number);
  'dirty_pages_per_sec'?: (number);
  '_dirty_pages_per_sec'?: "dirty_pages_per_sec";
}
