// Original file: proto/orchestrator.proto

import type { Long } from '@grpc/proto-loader';

export interface ProcessStatus {
  'name'?: (string);
  'pid'?: (number);
  'running'?: (boolean);
  'rss_bytes'?: (number | string | Long);
}

export interface ProcessStatus__Output {
  'name': (string);
  'pid': (number);
  'running': (boolean);
  'rss_bytes': (number);
}
