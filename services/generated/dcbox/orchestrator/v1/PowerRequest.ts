// Original file: proto/orchestrator.proto


export interface PowerRequest {
  'host'?: (string);
  'on'?: (boolean);
}

export interface PowerRequest__Output {
  'host': (string);
  'on': (boolean);
}
