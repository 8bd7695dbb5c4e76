// Original file: proto/storage.proto

import type { LunFaultState as _dcbox_storage_v1_LunFaultState, LunFaultState__Output as _dcbox_storage_v1_LunFaultState__Output } from '../../../dcbox/storage/v1/LunFaultState';

export interface LunFaults {
  'faults'?: (_dcbox_storage_v1_LunFaultState)[];
}

export interface LunFaults__Output {
  'faults': (_dcbox_storage_v1_LunFaultState__Output)[];
}
