// Original file: proto/storage.proto

import type { Initiator as _dcbox_storage_v1_Initiator, Initiator__Output as _dcbox_storage_v1_Initiator__Output } from '../../../dcbox/storage/v1/Initiator';
import type { Long } from '@grpc/proto-loader';

export interface ControllerLogEntry {
  'seq'?: (number | string | Long);
  'boot_id'?: (string);
  'time_ms'?: (number | string | Long);
  'kind'?: (string);
  'initiator'?: (_dcbox_storage_v1_Initiator | null);
  'lun'?: (string);
  'offset'?: (number | string | Long);
  'length'?: (number);
  'hash'?: (string);
  'action'?: (string);
  'key'?: (string);
  'victim_key'?: (string);
  'victim_hosts'?: (string)[];
  'missed'?: (number | string | Long);
}

export interface ControllerLogEntry__Output {
  'seq': (number);
  'boot_id': (string);
  'time_ms': (number);
  'kind': (string);
  'initiator': (_dcbox_storage_v1_Initiator__Output | null);
  'lun': (string);
  'offset': (number);
  'length': (number);
  'hash': (string);
  'action': (string);
  'key': (string);
  'victim_key': (string);
  'victim_hosts': (string)[];
  'missed': (number);
}
