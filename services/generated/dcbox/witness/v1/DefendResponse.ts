// Original file: proto/witness.proto

import type { Long } from '@grpc/proto-loader';

export interface DefendResponse {
  'ok'?: (boolean);
  'owner'?: (string);
  'epoch'?: (number | string | Long);
  'challenged'?: (boolean);
}

export interface DefendResponse__Output {
  'ok': (boolean);
  'owner': (string);
  'epoch': (number);
  'challenged': (boolean);
}
