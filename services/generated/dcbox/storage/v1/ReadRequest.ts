// Original file: proto/storage.proto

import type { Initiator as _dcbox_storage_v1_Initiator, Initiator__Output as _dcbox_storage_v1_Initiator__Output } from '../../../dcbox/storage/v1/Initiator';
import type { Long } from '@grpc/proto-loader';

export interface ReadRequest {
  'lun'?: (string);
  'initiator'?: (_dcbox_storage_v1_Initiator | null);
  'offset'?: (number | string | Long);
  'length'?: (number);
}

export interface ReadRequest__Output {
  'lun': (string);
  'initiator': (_dcbox_storage_v1_Initiator__Output | null);
  'offset': (number);
  'length': (number);
}
