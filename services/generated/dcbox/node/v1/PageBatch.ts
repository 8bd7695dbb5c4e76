// Original file: proto/node.proto


export interface PageBatch {
  'pass'?: (number);
  'runs'?: (number)[];
  'data'?: (Buffer | Uint8Array | string);
}

export interface PageBatch__Output {
  'pass': (number);
  'runs': (number)[];
  'data': (Buffer);
}
