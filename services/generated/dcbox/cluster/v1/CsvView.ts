// Original file: proto/cluster.proto

import type { CsvNodeMode as _dcbox_cluster_v1_CsvNodeMode, CsvNodeMode__Output as _dcbox_cluster_v1_CsvNodeMode__Output } from '../../../dcbox/cluster/v1/CsvNodeMode';

export interface CsvView {
  'volume'?: (string);
  'path'?: (string);
  'lun'?: (string);
  'coordinator'?: (string);
  'modes'?: (_dcbox_cluster_v1_CsvNodeMode)[];
}

export interface CsvView__Output {
  'volume': (string);
  'path': (string);
  'lun': (string);
  'coordinator': (string);
  'modes': (_dcbox_cluster_v1_CsvNodeMode__Output)[];
}
