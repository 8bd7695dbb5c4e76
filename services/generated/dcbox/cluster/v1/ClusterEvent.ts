// Original file: proto/cluster.proto

import type { Long } from '@grpc/proto-loader';

export interface ClusterEvent {
  'index'?: (number | string | Long);
  'time_ms'?: (number | string | Long);
  'node'?: (string);
  'event_id'?: (number);
  'kind'?: (string);
  'message'?: (string);
  'data_json'?: (string);
}

export interface ClusterEvent__Output {
  'index': (number);
  'time_ms': (number);
  'node': (string);
  'event_id': (number);
  'kind': (string);
  'message': (string);
  'data_json': (string);
}
