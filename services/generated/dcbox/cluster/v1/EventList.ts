// Original file: proto/cluster.proto

import type { ClusterEvent as _dcbox_cluster_v1_ClusterEvent, ClusterEvent__Output as _dcbox_cluster_v1_ClusterEvent__Output } from '../../../dcbox/cluster/v1/ClusterEvent';

export interface EventList {
  'events'?: (_dcbox_cluster_v1_ClusterEvent)[];
}

export interface EventList__Output {
  'events': (_dcbox_cluster_v1_ClusterEvent__Output)[];
}
