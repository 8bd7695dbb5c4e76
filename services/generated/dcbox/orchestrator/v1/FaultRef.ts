// Original file: proto/orchestrator.proto


export interface FaultRef {
  'id'?: (string);
}

export interface FaultRef__Output {
  'id': (string);
}
