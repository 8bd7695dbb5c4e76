// Original file: proto/chassis.proto

import type { Long } from '@grpc/proto-loader';

export interface LogEntry {
  'index'?: (number);
  'time_ms'?: (number | string | Long);
  'severity'?: (string);
  'source'?: (string);
  'text'?: (string);
}

export interface LogEntry__Output {
  'index': (number);
  'time_ms': (number);
  'severity': (string);
  'source': (string);
  'text': (string);
}
