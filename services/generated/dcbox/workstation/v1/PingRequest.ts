// Original file: proto/workstation.proto


export interface PingRequest {
  'vm'?: (string);
  'count'?: (number);
  'interval_ms'?: (number);
  'timeout_ms'?: (number);
  '_count'?: "count";
}

export interface PingRequest__Output {
  'vm': (string);
  'count'?: (number);
  'interval_ms': (number);
  'timeout_ms': (number);
  '_count'?: "count";
}
