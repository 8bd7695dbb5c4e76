// Original file: proto/storage.proto


export interface LunFaultRequest {
  'lun'?: (string);
  'kind'?: (string);
  'delay_ms'?: (number);
  'error_rate'?: (number | string);
  'duration_ms'?: (number);
}

export interface LunFaultRequest__Output {
  'lun': (string);
  'kind': (string);
  'delay_ms': (number);
  'error_rate': (number);
  'duration_ms': (number);
}
