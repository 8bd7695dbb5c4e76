// Original file: proto/storage.proto


export interface ListLunsRequest {
  'host'?: (string);
}

export interface ListLunsRequest__Output {
  'host': (string);
}
