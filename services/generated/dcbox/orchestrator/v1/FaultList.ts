// Original file: proto/orchestrator.proto

import type { Fault as _dcbox_orchestrator_v1_Fault, Fault__Output as _dcbox_orchestrator_v1_Fault__Output } from '../../../dcbox/orchestrator/v1/Fault';

export interface FaultList {
  'faults'?: (_dcbox_orchestrator_v1_Fault)[];
}

export interface FaultList__Output {
  'faults': (_dcbox_orchestrator_v1_Fault__Output)[];
}
