// Original file: proto/node.proto


export interface ShutdownMove {
  'role'?: (string);
  'to'?: (string);
  'kind'?: (string);
  'error'?: (string);
}

export interface ShutdownMove__Output {
  'role': (string);
  'to': (string);
  'kind': (string);
  'error': (string);
}
