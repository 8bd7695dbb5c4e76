// Original file: proto/storage.proto

import type { Initiator as _dcbox_storage_v1_Initiator, Initiator__Output as _dcbox_storage_v1_Initiator__Output } from '../../../dcbox/storage/v1/Initiator';

export interface PrReserveRequest {
  'lun'?: (string);
  'initiator'?: (_dcbox_storage_v1_Initiator | null);
  'key'?: (string);
}

export interface PrReserveRequest__Output {
  'lun': (string);
  'initiator': (_dcbox_storage_v1_Initiator__Output | null);
  'key': (string);
}
