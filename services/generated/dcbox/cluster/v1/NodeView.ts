// Original file: proto/cluster.proto

import type { Long } from '@grpc/proto-loader';

export interface NodeView {
  'name'?: (string);
  'node_id'?: (number);
  'state'?: (string);
  'missed_heartbeats'?: (number);
  'last_heartbeat_ms_ago'?: (number | string | Long);
}

export interface NodeView__Output {
  'name': (string);
  'node_id': (number);
  'state': (string);
  'missed_heartbeats': (number);
  'last_heartbeat_ms_ago': (number);
}
