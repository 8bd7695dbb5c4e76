// Original file: proto/node.proto


export interface VmRef {
  'name'?: (string);
}

export interface VmRef__Output {
  'name': (string);
}
