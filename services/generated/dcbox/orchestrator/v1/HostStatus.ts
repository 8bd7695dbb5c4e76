// Original file: proto/orchestrator.proto

import type { ProcessStatus as _dcbox_orchestrator_v1_ProcessStatus, ProcessStatus__Output as _dcbox_orchestrator_v1_ProcessStatus__Output } from '../../../dcbox/orchestrator/v1/ProcessStatus';

export interface HostStatus {
  'name'?: (string);
  'component'?: (string);
  'address'?: (string);
  'grpc_port'?: (number);
  'nats_port'?: (number);
  'powered'?: (boolean);
  'health'?: (string);
  'processes'?: (_dcbox_orchestrator_v1_ProcessStatus)[];
  'namespace'?: (string);
}

export interface HostStatus__Output {
  'name': (string);
  'component': (string);
  'address': (string);
  'grpc_port': (number);
  'nats_port': (number);
  'powered': (boolean);
  'health': (string);
  'processes': (_dcbox_orchestrator_v1_ProcessStatus__Output)[];
  'namespace': (string);
}
