// Original file: proto/node.proto

import type { Vm as _dcbox_node_v1_Vm, Vm__Output as _dcbox_node_v1_Vm__Output } from '../../../dcbox/node/v1/Vm';

export interface VmList {
  'vms'?: (_dcbox_node_v1_Vm)[];
}

export interface VmList__Output {
  'vms': (_dcbox_node_v1_Vm__Output)[];
}
