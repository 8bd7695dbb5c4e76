// Original file: proto/common.proto


export interface EchoResponse {
  'ok'?: (boolean);
  'responder'?: (string);
  'rtt_us'?: (number);
  'error'?: (string);
}

export interface EchoResponse__Output {
  'ok': (boolean);
  'responder': (string);
  'rtt_us': (number);
  'error': (string);
}
