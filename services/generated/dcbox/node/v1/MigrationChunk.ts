// Original file: proto/node.proto

import type { MigrationSetup as _dcbox_node_v1_MigrationSetup, MigrationSetup__Output as _dcbox_node_v1_MigrationSetup__Output } from '../../../dcbox/node/v1/MigrationSetup';
import type { PageBatch as _dcbox_node_v1_PageBatch, PageBatch__Output as _dcbox_node_v1_PageBatch__Output } from '../../../dcbox/node/v1/PageBatch';
import type { PassEnd as _dcbox_node_v1_PassEnd, PassEnd__Output as _dcbox_node_v1_PassEnd__Output } from '../../../dcbox/node/v1/PassEnd';
import type { MigrationDeviceState as _dcbox_node_v1_MigrationDeviceState, MigrationDeviceState__Output as _dcbox_node_v1_MigrationDeviceState__Output } from '../../../dcbox/node/v1/MigrationDeviceState';
import type { MigrationResume as _dcbox_node_v1_MigrationResume, MigrationResume__Output as _dcbox_node_v1_MigrationResume__Output } from '../../../dcbox/node/v1/MigrationResume';
import type { MigrationProgress as _dcbox_node_v1_MigrationProgress, MigrationProgress__Output as _dcbox_node_v1_MigrationProgress__Output } from '../../../dcbox/node/v1/MigrationProgress';

export interface MigrationChunk {
  'setup'?: (_dcbox_node_v1_MigrationSetup | null);
  'pages'?: (_dcbox_node_v1_PageBatch | null);
  'pass_end'?: (_dcbox_node_v1_PassEnd | null);
  'device'?: (_dcbox_node_v1_MigrationDeviceState | null);
  'resume'?: (_dcbox_node_v1_MigrationResume | null);
  'progress'?: (_dcbox_node_v1_MigrationProgress | null);
  'body'?: "setup"|"pages"|"pass_end"|"device"|"resume"|"progress";
}

export interface MigrationChunk__Output {
  'setup'?: (_dcbox_node_v1_MigrationSetup__Output | null);
  'pages'?: (_dcbox_node_v1_PageBatch__Output | null);
  'pass_end'?: (_dcbox_node_v1_PassEnd__Output | null);
  'device'?: (_dcbox_node_v1_MigrationDeviceState__Output | null);
  'resume'?: (_dcbox_node_v1_MigrationResume__Output | null);
  'progress'?: (_dcbox_node_v1_MigrationProgress__Output | null);
  'body'?: "setup"|"pages"|"pass_end"|"device"|"resume"|"progress";
}
