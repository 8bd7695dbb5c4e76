// Original file: proto/orchestrator.proto

import type { PartitionGroup as _dcbox_orchestrator_v1_PartitionGroup, PartitionGroup__Output as _dcbox_orchestrator_v1_PartitionGroup__Output } from '../../../dcbox/orchestrator/v1/PartitionGroup';

export interface PartitionRequest {
  'groups'?: (_dcbox_orchestrator_v1_PartitionGroup)[];
  'one_way'?: (boolean);
}

export interface PartitionRequest__Output {
  'groups': (_dcbox_orchestrator_v1_PartitionGroup__Output)[];
  'one_way': (boolean);
}
