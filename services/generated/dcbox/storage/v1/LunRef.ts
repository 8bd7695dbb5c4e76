// Original file: proto/storage.proto


export interface LunRef {
  'name'?: (string);
}

export interface LunRef__Output {
  'name': (string);
}
