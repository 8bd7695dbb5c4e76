// Original file: proto/cluster.proto


export interface PauseNodeRequest {
  'node'?: (string);
  'drain'?: (boolean);
}

export interface PauseNodeRequest__Output {
  'node': (string);
  'drain': (boolean);
}
