// Original file: proto/node.proto

import type { ShutdownMove as _dcbox_node_v1_ShutdownMove, ShutdownMove__Output as _dcbox_node_v1_ShutdownMove__Output } from '../../../dcbox/node/v1/ShutdownMove';

export interface ShutdownReply {
  'moves'?: (_dcbox_node_v1_ShutdownMove)[];
}

export interface ShutdownReply__Output {
  'moves': (_dcbox_node_v1_ShutdownMove__Output)[];
}
