// Original file: proto/storage.proto


export interface Registration {
  'initiator'?: (string);
  'key'?: (string);
}

export interface Registration__Output {
  'initiator': (string);
  'key': (string);
}
