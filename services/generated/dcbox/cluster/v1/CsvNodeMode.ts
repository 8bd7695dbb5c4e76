// Original file: proto/cluster.proto


export interface CsvNodeMode {
  'node'?: (string);
  'mode'?: (string);
}

export interface CsvNodeMode__Output {
  'node': (string);
  'mode': (string);
}
