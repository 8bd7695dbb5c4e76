// Original file: proto/orchestrator.proto

import type { HostStatus as _dcbox_orchestrator_v1_HostStatus, HostStatus__Output as _dcbox_orchestrator_v1_HostStatus__Output } from '../../../dcbox/orchestrator/v1/HostStatus';
import type { Long } from '@grpc/proto-loader';

export interface RunStatus {
  'run_id'?: (string);
  'topology'?: (string);
  'runtime'?: (string);
  'timing'?: (string);
  'started_at_ms'?: (number | string | Long);
  'hosts'?: (_dcbox_orchestrator_v1_HostStatus)[];
  'partitions'?: (string)[];
  'daemon_pid'?: (number);
}

export interface RunStatus__Output {
  'run_id': (string);
  'topology': (string);
  'runtime': (string);
  'timing': (string);
  'started_at_ms': (number);
  'hosts': (_dcbox_orchestrator_v1_HostStatus__Output)[];
  'partitions': (string)[];
  'daemon_pid': (number);
}
