// Original file: proto/orchestrator.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { Empty as _dcbox_common_v1_Empty, Empty__Output as _dcbox_common_v1_Empty__Output } from '../../../dcbox/common/v1/Empty';
import type { PartitionRequest as _dcbox_orchestrator_v1_PartitionRequest, PartitionRequest__Output as _dcbox_orchestrator_v1_PartitionRequest__Output } from '../../../dcbox/orchestrator/v1/PartitionRequest';
import type { PartitionResponse as _dcbox_orchestrator_v1_PartitionResponse, PartitionResponse__Output as _dcbox_orchestrator_v1_PartitionResponse__Output } from '../../../dcbox/orchestrator/v1/PartitionResponse';
import type { RunStatus as _dcbox_orchestrator_v1_RunStatus, RunStatus__Output as _dcbox_orchestrator_v1_RunStatus__Output } from '../../../dcbox/orchestrator/v1/RunStatus';

export interface OrchestratorClient extends grpc.Client {
  Heal(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_orchestrator_v1_PartitionResponse__Output>): grpc.ClientUnaryCall;
  Heal(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_orchestrator_v1_PartitionResponse__Output>): grpc.ClientUnaryCall;
  Heal(argument: _dcbox_common_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_orchestrator_v1_PartitionResponse__Output>): grpc.ClientUnaryCall;
  Heal(argument: _dcbox_common_v1_Empty, callback: grpc.requestCallback<_dcbox_orchestrator_v1_PartitionResponse__Output>): grpc.ClientUnaryCall;
  heal(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_orchestrator_v1_PartitionResponse__Output>): grpc.ClientUnaryCall;
  heal(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_orchestrator_v1_PartitionResponse__Output>): grpc.ClientUnaryCall;
  heal(argument: _dcbox_common_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_orchestrator_v1_PartitionResponse__Output>): grpc.ClientUnaryCall;
  heal(argument: _dcbox_common_v1_Empty, callback: grpc.requestCallback<_dcbox_orchestrator_v1_PartitionResponse__Output>): grpc.ClientUnaryCall;
  
  Partition(argument: _dcbox_orchestrator_v1_PartitionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_orchestrator_v1_PartitionResponse__Output>): grpc.ClientUnaryCall;
  Partition(argument: _dcbox_orchestrator_v1_PartitionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_orchestrator_v1_PartitionResponse__Output>): grpc.ClientUnaryCall;
  Partition(argument: _dcbox_orchestrator_v1_PartitionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_orchestrator_v1_PartitionResponse__Output>): grpc.ClientUnaryCall;
  Partition(argument: _dcbox_orchestrator_v1_PartitionRequest, callback: grpc.requestCallback<_dcbox_orchestrator_v1_PartitionResponse__Output>): grpc.ClientUnaryCall;
  partition(argument: _dcbox_orchestrator_v1_PartitionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_orchestrator_v1_PartitionResponse__Output>): grpc.ClientUnaryCall;
  partition(argument: _dcbox_orchestrator_v1_PartitionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_orchestrator_v1_PartitionResponse__Output>): grpc.ClientUnaryCall;
  partition(argument: _dcbox_orchestrator_v1_PartitionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_orchestrator_v1_PartitionResponse__Output>): grpc.ClientUnaryCall;
  partition(argument: _dcbox_orchestrator_v1_PartitionRequest, callback: grpc.requestCallback<_dcbox_orchestrator_v1_PartitionResponse__Output>): grpc.ClientUnaryCall;
  
  Shutdown(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_common_v1_Empty__Output>): grpc.ClientUnaryCall;
  Shutdown(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_common_v1_Empty__Output>): grpc.ClientUnaryCall;
  Shutdown(argument: _dcbox_common_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_common_v1_Empty__Output>): grpc.ClientUnaryCall;
  Shutdown(argument: _dcbox_common_v1_Empty, callback: grpc.requestCallback<_dcbox_common_v1_Empty__Output>): grpc.ClientUnaryCall;
  shutdown(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_common_v1_Empty__Output>): grpc.ClientUnaryCall;
  shutdown(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_common_v1_Empty__Output>): grpc.ClientUnaryCall;
  shutdown(argument: _dcbox_common_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_common_v1_Empty__Output>): grpc.ClientUnaryCall;
  shutdown(argument: _dcbox_common_v1_Empty, callback: grpc.requestCallback<_dcbox_common_v1_Empty__Output>): grpc.ClientUnaryCall;
  
  Status(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_orchestrator_v1_RunStatus__Output>): grpc.ClientUnaryCall;
  Status(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_orchestrator_v1_RunStatus__Output>): grpc.ClientUnaryCall;
  Status(argument: _dcbox_common_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_orchestrator_v1_RunStatus__Output>): grpc.ClientUnaryCall;
  Status(argument: _dcbox_common_v1_Empty, callback: grpc.requestCallback<_dcbox_orchestrator_v1_RunStatus__Output>): grpc.ClientUnaryCall;
  status(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_orchestrator_v1_RunStatus__Output>): grpc.ClientUnaryCall;
  status(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_orchestrator_v1_RunStatus__Output>): grpc.ClientUnaryCall;
  status(argument: _dcbox_common_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_orchestrator_v1_RunStatus__Output>): grpc.ClientUnaryCall;
  status(argument: _dcbox_common_v1_Empty, callback: grpc.requestCallback<_dcbox_orchestrator_v1_RunStatus__Output>): grpc.ClientUnaryCall;
  
}

export interface OrchestratorHandlers extends grpc.UntypedServiceImplementation {
  Heal: grpc.handleUnaryCall<_dcbox_common_v1_Empty__Output, _dcbox_orchestrator_v1_PartitionResponse>;
  
  Partition: grpc.handleUnaryCall<_dcbox_orchestrator_v1_PartitionRequest__Output, _dcbox_orchestrator_v1_PartitionResponse>;
  
  Shutdown: grpc.handleUnaryCall<_dcbox_common_v1_Empty__Output, _dcbox_common_v1_Empty>;
  
  Status: grpc.handleUnaryCall<_dcbox_common_v1_Empty__Output, _dcbox_orchestrator_v1_RunStatus>;
  
}

export interface OrchestratorDefinition extends grpc.ServiceDefinition {
  Heal: MethodDefinition<_dcbox_common_v1_Empty, _dcbox_orchestrator_v1_PartitionResponse, _dcbox_common_v1_Empty__Output, _dcbox_orchestrator_v1_PartitionResponse__Output>
  Partition: MethodDefinition<_dcbox_orchestrator_v1_PartitionRequest, _dcbox_orchestrator_v1_PartitionResponse, _dcbox_orchestrator_v1_PartitionRequest__Output, _dcbox_orchestrator_v1_PartitionResponse__Output>
  Shutdown: MethodDefinition<_dcbox_common_v1_Empty, _dcbox_common_v1_Empty, _dcbox_common_v1_Empty__Output, _dcbox_common_v1_Empty__Output>
  Status: MethodDefinition<_dcbox_common_v1_Empty, _dcbox_orchestrator_v1_RunStatus, _dcbox_common_v1_Empty__Output, _dcbox_orchestrator_v1_RunStatus__Output>
}
