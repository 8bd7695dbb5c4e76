// Original file: proto/node.proto


export interface StorageCommandResponse {
  'ok'?: (boolean);
  'code'?: (string);
  'message'?: (string);
  'state_json'?: (string);
  'data'?: (Buffer | Uint8Array | string);
  'path'?: (string);
}

export interface StorageCommandResponse__Output {
  'ok': (boolean);
  'code': (string);
  'message': (string);
  'state_json': (string);
  'data': (Buffer);
  'path': (string);
}
