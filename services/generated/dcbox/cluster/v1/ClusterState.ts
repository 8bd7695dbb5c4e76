// Original file: proto/cluster.proto

import type { NodeView as _dcbox_cluster_v1_NodeView, NodeView__Output as _dcbox_cluster_v1_NodeView__Output } from '../../../dcbox/cluster/v1/NodeView';
import type { QuorumView as _dcbox_cluster_v1_QuorumView, QuorumView__Output as _dcbox_cluster_v1_QuorumView__Output } from '../../../dcbox/cluster/v1/QuorumView';
import type { CsvView as _dcbox_cluster_v1_CsvView, CsvView__Output as _dcbox_cluster_v1_CsvView__Output } from '../../../dcbox/cluster/v1/CsvView';
import type { Role as _dcbox_cluster_v1_Role, Role__Output as _dcbox_cluster_v1_Role__Output } from '../../../dcbox/cluster/v1/Role';
import type { Long } from '@grpc/proto-loader';

export interface ClusterState {
  'cluster'?: (string);
  'node'?: (string);
  'service_state'?: (string);
  'membership_epoch'?: (number | string | Long);
  'members'?: (string)[];
  'leader'?: (string);
  'nodes'?: (_dcbox_cluster_v1_NodeView)[];
  'quorum'?: (_dcbox_cluster_v1_QuorumView | null);
  'csv'?: (_dcbox_cluster_v1_CsvView)[];
  'roles'?: (_dcbox_cluster_v1_Role)[];
  'config_version'?: (number | string | Long);
  'same_subnet_delay_ms'?: (number);
  'same_subnet_threshold'?: (number);
}

export interface ClusterState__Output {
  'cluster': (string);
  'node': (string);
  'service_state': (string);
  'membership_epoch': (number);
  'members': (string)[];
  'leader': (string);
  'nodes': (_dcbox_cluster_v1_NodeView__Output)[];
  'quorum': (_dcbox_cluster_v1_QuorumView__Output | null);
  'csv': (_dcbox_cluster_v1_CsvView__Output)[];
  'roles': (_dcbox_cluster_v1_Role__Output)[];
  'config_version': (number);
  'same_subnet_delay_ms': (number);
  'same_subnet_threshold': (number);
}
