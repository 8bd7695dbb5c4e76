// Original file: proto/cluster.proto

import type { Resource as _dcbox_cluster_v1_Resource, Resource__Output as _dcbox_cluster_v1_Resource__Output } from '../../../dcbox/cluster/v1/Resource';

export interface Role {
  'name'?: (string);
  'vm'?: (string);
  'owner'?: (string);
  'state'?: (string);
  'preferred_owners'?: (string)[];
  'allow_failback'?: (boolean);
  'resources'?: (_dcbox_cluster_v1_Resource)[];
  'restarts_in_period'?: (number);
  'failovers_in_period'?: (number);
  'last_error'?: (string);
  'memory_mib'?: (number);
  'disk_path'?: (string);
}

export interface Role__Output {
  'name': (string);
  'vm': (string);
  'owner': (string);
  'state': (string);
  'preferred_owners': (string)[];
  'allow_failback': (boolean);
  'resources': (_dcbox_cluster_v1_Resource__Output)[];
  'restarts_in_period': (number);
  'failovers_in_period': (number);
  'last_error': (string);
  'memory_mib': (number);
  'disk_path': (string);
}
