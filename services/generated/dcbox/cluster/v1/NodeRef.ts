// Original file: proto/cluster.proto


export interface NodeRef {
  'node'?: (string);
}

export interface NodeRef__Output {
  'node': (string);
}
