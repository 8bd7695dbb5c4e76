// Original file: proto/witness.proto

import type { Long } from '@grpc/proto-loader';

export interface WitnessState {
  'kind'?: (string);
  'owner'?: (string);
  'epoch'?: (number | string | Long);
  'config_version'?: (number | string | Long);
  'config_json'?: (string);
  'lease_remaining_ms'?: (number);
  'challenge_pending'?: (boolean);
  'challenger'?: (string);
  'status'?: (string);
  'status_detail'?: (string);
}

export interface WitnessState__Output {
  'kind': (string);
  'owner': (string);
  'epoch': (number);
  'config_version': (number);
  'config_json': (string);
  'lease_remaining_ms': (number);
  'challenge_pending': (boolean);
  'challenger': (string);
  'status': (string);
  'status_detail': (string);
}
