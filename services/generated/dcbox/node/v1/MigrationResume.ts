// Original file: proto/node.proto


export interface MigrationResume {
}

export interface MigrationResume__Output {
}
