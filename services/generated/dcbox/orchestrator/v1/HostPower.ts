// Original file: proto/orchestrator.proto


export interface HostPower {
  'host'?: (string);
  'on'?: (boolean);
  'pids'?: (number)[];
}

export interface HostPower__Output {
  'host': (string);
  'on': (boolean);
  'pids': (number)[];
}
