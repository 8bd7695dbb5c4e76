// Original file: proto/node.proto

import type { PathView as _dcbox_node_v1_PathView, PathView__Output as _dcbox_node_v1_PathView__Output } from '../../../dcbox/node/v1/PathView';
import type { Long } from '@grpc/proto-loader';

export interface DiskView {
  'device'?: (string);
  'lun'?: (string);
  'size_bytes'?: (number | string | Long);
  'policy'?: (string);
  'paths'?: (_dcbox_node_v1_PathView)[];
  'serial'?: (string);
}

export interface DiskView__Output {
  'device': (string);
  'lun': (string);
  'size_bytes': (number);
  'policy': (string);
  'paths': (_dcbox_node_v1_PathView__Output)[];
  'serial': (string);
}
