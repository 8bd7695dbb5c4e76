// Original file: proto/storage.proto


export interface ZoningRequest {
  'hosts'?: (string)[];
}

export interface ZoningRequest__Output {
  'hosts': (string)[];
}
