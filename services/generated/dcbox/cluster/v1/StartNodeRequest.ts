// Original file: proto/cluster.proto


export interface StartNodeRequest {
  'node'?: (string);
  'force_quorum'?: (boolean);
}

export interface StartNodeRequest__Output {
  'node': (string);
  'force_quorum': (boolean);
}
