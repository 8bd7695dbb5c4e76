// Original file: proto/workstation.proto

import type { Long } from '@grpc/proto-loader';

export interface PingReply {
  'seq'?: (number);
  'ok'?: (boolean);
  'host'?: (string);
  'rtt_us'?: (number);
  'error'?: (string);
  'sent_at_ms'?: (number | string | Long);
  'answered_at_ms'?: (number | string | Long);
  '_answered_at_ms'?: "answered_at_ms";
}

export interface PingReply__Output {
  'seq': (number);
  'ok': (boolean);
  'host': (string);
  'rtt_us': (number);
  'error': (string);
  'sent_at_ms': (number);
  'answered_at_ms'?: (number);
  '_answered_at_ms'?: "answered_at_ms";
}
