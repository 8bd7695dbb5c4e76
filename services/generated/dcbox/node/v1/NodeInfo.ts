// Original file: proto/node.proto


export interface NodeInfo {
  'name'?: (string);
  'address'?: (string);
  'bay'?: (number);
  'features'?: (string)[];
  'mpio_enabled'?: (boolean);
  'mpio_policy'?: (string);
  'virtual_switches'?: (string)[];
}

export interface NodeInfo__Output {
  'name': (string);
  'address': (string);
  'bay': (number);
  'features': (string)[];
  'mpio_enabled': (boolean);
  'mpio_policy': (string);
  'virtual_switches': (string)[];
}
