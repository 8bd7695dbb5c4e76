// Original file: proto/cluster.proto


export interface MakeHaRequest {
  'vm'?: (string);
  'preferred_owners'?: (string)[];
  'allow_failback'?: (boolean);
}

export interface MakeHaRequest__Output {
  'vm': (string);
  'preferred_owners': (string)[];
  'allow_failback': (boolean);
}
