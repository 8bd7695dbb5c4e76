// Original file: proto/storage.proto


export interface DataChannelInfo {
  'port'?: (number);
}

export interface DataChannelInfo__Output {
  'port': (number);
}
