// Original file: proto/orchestrator.proto


export interface PartitionResponse {
  'rules'?: (string)[];
}

export interface PartitionResponse__Output {
  'rules': (string)[];
}
