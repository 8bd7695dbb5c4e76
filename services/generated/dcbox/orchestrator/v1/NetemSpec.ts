// Original file: proto/orchestrator.proto


export interface NetemSpec {
  'delay_ms'?: (number);
  'jitter_ms'?: (number);
  'loss_percent'?: (number | string);
  'rate_kbit'?: (number);
}

export interface NetemSpec__Output {
  'delay_ms': (number);
  'jitter_ms': (number);
  'loss_percent': (number);
  'rate_kbit': (number);
}
