// Original file: proto/common.proto


export interface EchoRequest {
  'target_host'?: (string);
  'timeout_ms'?: (number);
}

export interface EchoRequest__Output {
  'target_host': (string);
  'timeout_ms': (number);
}
