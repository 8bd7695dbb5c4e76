// Original file: proto/storage.proto

import type { Lun as _dcbox_storage_v1_Lun, Lun__Output as _dcbox_storage_v1_Lun__Output } from '../../../dcbox/storage/v1/Lun';

export interface ListLunsResponse {
  'luns'?: (_dcbox_storage_v1_Lun)[];
}

export interface ListLunsResponse__Output {
  'luns': (_dcbox_storage_v1_Lun__Output)[];
}
