// Original file: proto/orchestrator.proto


export interface PartitionGroup {
  'hosts'?: (string)[];
}

export interface PartitionGroup__Output {
  'hosts': (string)[];
}
