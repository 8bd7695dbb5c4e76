// Original file: proto/cluster.proto

import type { Long } from '@grpc/proto-loader';

export interface QuorumView {
  'model'?: (string);
  'has_quorum'?: (boolean);
  'votes'?: (number);
  'needed'?: (number);
  'total'?: (number);
  'witness_owner'?: (string);
  'witness_epoch'?: (number | string | Long);
  'witness_status'?: (string);
  'arbitrating'?: (boolean);
}

export interface QuorumView__Output {
  'model': (string);
  'has_quorum': (boolean);
  'votes': (number);
  'needed': (number);
  'total': (number);
  'witness_owner': (string);
  'witness_epoch': (number);
  'witness_status': (string);
  'arbitrating': (boolean);
}
