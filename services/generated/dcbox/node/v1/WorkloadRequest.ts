// Original file: proto/node.proto


export interface WorkloadRequest {
  'vm'?: (string);
  'enabled'?: (boolean);
  'interval_ms'?: (number);
}

export interface WorkloadRequest__Output {
  'vm': (string);
  'enabled': (boolean);
  'interval_ms': (number);
}
