// Original file: proto/chassis.proto

import type { Bay as _dcbox_chassis_v1_Bay, Bay__Output as _dcbox_chassis_v1_Bay__Output } from '../../../dcbox/chassis/v1/Bay';

export interface Chassis {
  'name'?: (string);
  'model'?: (string);
  'blades'?: (_dcbox_chassis_v1_Bay)[];
  'io_modules'?: (_dcbox_chassis_v1_Bay)[];
  'storage_modules'?: (_dcbox_chassis_v1_Bay)[];
}

export interface Chassis__Output {
  'name': (string);
  'model': (string);
  'blades': (_dcbox_chassis_v1_Bay__Output)[];
  'io_modules': (_dcbox_chassis_v1_Bay__Output)[];
  'storage_modules': (_dcbox_chassis_v1_Bay__Output)[];
}
