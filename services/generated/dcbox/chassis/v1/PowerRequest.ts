// Original file: proto/chassis.proto


export interface PowerRequest {
  'kind'?: (string);
  'bay'?: (number);
  'action'?: (string);
}

export interface PowerRequest__Output {
  'kind': (string);
  'bay': (number);
  'action': (string);
}
