// Original file: proto/storage.proto

import type { Registration as _dcbox_storage_v1_Registration, Registration__Output as _dcbox_storage_v1_Registration__Output } from '../../../dcbox/storage/v1/Registration';

export interface PrState {
  'generation'?: (number);
  'registrations'?: (_dcbox_storage_v1_Registration)[];
  'reservation_holder'?: (string);
  'reservation_key'?: (string);
  'reservation_type'?: (string);
}

export interface PrState__Output {
  'generation': (number);
  'registrations': (_dcbox_storage_v1_Registration__Output)[];
  'reservation_holder': (string);
  'reservation_key': (string);
  'reservation_type': (string);
}
