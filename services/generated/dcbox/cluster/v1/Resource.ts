// Original file: proto/cluster.proto


export interface Resource {
  'name'?: (string);
  'type'?: (string);
  'state'?: (string);
}

export interface Resource__Output {
  'name': (string);
  'type': (string);
  'state': (string);
}
