// Original file: proto/cluster.proto


export interface RoleRef {
  'name'?: (string);
}

export interface RoleRef__Output {
  'name': (string);
}
