// Original file: proto/common.proto

import type { Long } from '@grpc/proto-loader';

export interface HostInfo {
  'name'?: (string);
  'address'?: (string);
  'component'?: (string);
  'pid'?: (number);
  'rss_bytes'?: (number | string | Long);
  'uptime_ms'?: (number | string | Long);
  'version'?: (string);
}

export interface HostInfo__Output {
  'name': (string);
  'address': (string);
  'component': (string);
  'pid': (number);
  'rss_bytes': (number);
  'uptime_ms': (number);
  'version': (string);
}
