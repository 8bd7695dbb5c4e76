// Original file: proto/cluster.proto

import type { Role as _dcbox_cluster_v1_Role, Role__Output as _dcbox_cluster_v1_Role__Output } from '../../../dcbox/cluster/v1/Role';
import type { MigrationStats as _dcbox_cluster_v1_MigrationStats, MigrationStats__Output as _dcbox_cluster_v1_MigrationStats__Output } from '../../../dcbox/cluster/v1/MigrationStats';

export interface MoveResponse {
  'role'?: (_dcbox_cluster_v1_Role | null);
  'migration'?: (_dcbox_cluster_v1_MigrationStats | null);
}

export interface MoveResponse__Output {
  'role': (_dcbox_cluster_v1_Role__Output | null);
  'migration': (_dcbox_cluster_v1_MigrationStats__Output | null);
}
