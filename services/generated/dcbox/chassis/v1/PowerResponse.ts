// Original file: proto/chassis.proto

import type { Bay as _dcbox_chassis_v1_Bay, Bay__Output as _dcbox_chassis_v1_Bay__Output } from '../../../dcbox/chassis/v1/Bay';

export interface PowerResponse {
  'bay'?: (_dcbox_chassis_v1_Bay | null);
  'message'?: (string);
}

export interface PowerResponse__Output {
  'bay': (_dcbox_chassis_v1_Bay__Output | null);
  'message': (string);
}
