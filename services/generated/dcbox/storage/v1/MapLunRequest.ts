// Original file: proto/storage.proto


export interface MapLunRequest {
  'name'?: (string);
  'hosts'?: (string)[];
}

export interface MapLunRequest__Output {
  'name': (string);
  'hosts': (string)[];
}
