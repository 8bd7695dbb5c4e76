// Original file: proto/witness.proto

import type { Long } from '@grpc/proto-loader';

export interface PutConfigRequest {
  'node'?: (string);
  'epoch'?: (number | string | Long);
  'config_version'?: (number | string | Long);
  'config_json'?: (string);
}

export interface PutConfigRequest__Output {
  'node': (string);
  'epoch': (number);
  'config_version': (number);
  'config_json': (string);
}
