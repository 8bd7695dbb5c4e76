// Original file: proto/storage.proto


export interface Initiator {
  'host'?: (string);
  'port'?: (string);
}

export interface Initiator__Output {
  'host': (string);
  'port': (string);
}
