// Original file: proto/storage.proto


export interface WriteResponse {
  'written'?: (number);
}

export interface WriteResponse__Output {
  'written': (number);
}
