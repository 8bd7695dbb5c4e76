// Original file: proto/cluster.proto


export interface MoveRequest {
  'role'?: (string);
  'to'?: (string);
  'live'?: (boolean);
}

export interface MoveRequest__Output {
  'role': (string);
  'to': (string);
  'live': (boolean);
}
