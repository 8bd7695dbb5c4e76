// Original file: proto/chassis.proto

import type { LogEntry as _dcbox_chassis_v1_LogEntry, LogEntry__Output as _dcbox_chassis_v1_LogEntry__Output } from '../../../dcbox/chassis/v1/LogEntry';

export interface EventLog {
  'entries'?: (_dcbox_chassis_v1_LogEntry)[];
}

export interface EventLog__Output {
  'entries': (_dcbox_chassis_v1_LogEntry__Output)[];
}
