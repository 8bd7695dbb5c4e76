// Original file: proto/cluster.proto


export interface MoveCsvRequest {
  'volume'?: (string);
  'to'?: (string);
}

export interface MoveCsvRequest__Output {
  'volume': (string);
  'to': (string);
}
