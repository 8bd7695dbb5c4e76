// Original file: proto/storage.proto

import type { Initiator as _dcbox_storage_v1_Initiator, Initiator__Output as _dcbox_storage_v1_Initiator__Output } from '../../../dcbox/storage/v1/Initiator';
import type { Long } from '@grpc/proto-loader';

export interface WriteRequest {
  'lun'?: (string);
  'initiator'?: (_dcbox_storage_v1_Initiator | null);
  'offset'?: (number | string | Long);
  'data'?: (Buffer | Uint8Array | string);
}

export interface WriteRequest__Output {
  'lun': (string);
  'initiator': (_dcbox_storage_v1_Initiator__Output | null);
  'offset': (number);
  'data': (Buffer);
}
