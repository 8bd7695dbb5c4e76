// Original file: proto/orchestrator.proto

import type { PartitionGroup as _dcbox_orchestrator_v1_PartitionGroup, PartitionGroup__Output as _dcbox_orchestrator_v1_PartitionGroup__Output } from '../../../dcbox/orchestrator/v1/PartitionGroup';
import type { NetemSpec as _dcbox_orchestrator_v1_NetemSpec, NetemSpec__Output as _dcbox_orchestrator_v1_NetemSpec__Output } from '../../../dcbox/orchestrator/v1/NetemSpec';

export interface FaultRequest {
  'kind'?: (string);
  'hosts'?: (string)[];
  'groups'?: (_dcbox_orchestrator_v1_PartitionGroup)[];
  'one_way'?: (boolean);
  'duration_ms'?: (number);
  'netem'?: (_dcbox_orchestrator_v1_NetemSpec | null);
  'peers'?: (string)[];
  'lun'?: (string);
  'delay_ms'?: (number);
  'error_rate'?: (number | string);
}

export interface FaultRequest__Output {
  'kind': (string);
  'hosts': (string)[];
  'groups': (_dcbox_orchestrator_v1_PartitionGroup__Output)[];
  'one_way': (boolean);
  'duration_ms': (number);
  'netem': (_dcbox_orchestrator_v1_NetemSpec__Output | null);
  'peers': (string)[];
  'lun': (string);
  'delay_ms': (number);
  'error_rate': (number);
}
