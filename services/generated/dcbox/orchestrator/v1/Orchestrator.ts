// Original file: proto/orchestrator.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { Empty as _dcbox_common_v1_Empty, Empty__Output as _dcbox_common_v1_Empty__Output } from '../../../dcbox/common/v1/Empty';
import type { EventsRequest as _dcbox_orchestrator_v1_EventsRequest, EventsRequest__Output as _dcbox_orchestrator_v1_EventsRequest__Output } from '../../../dcbox/orchestrator/v1/EventsRequest';
import type { Fault as _dcbox_orchestrator_v1_Fault, Fault__Output as _dcbox_orchestrator_v1_Fault__Output } from '../../../dcbox/orchestrator/v1/Fault';
import type { FaultList as _dcbox_orchestrator_v1_FaultList, FaultList__Output as _dcbox_orchestrator_v1_FaultList__Output } from '../../../dcbox/orchestrator/v1/FaultList';
import type { FaultRef as _dcbox_orchestrator_v1_FaultRef, FaultRef__Output as _dcbox_orchestrator_v1_FaultRef__Output } from '../../../dcbox/orchestrator/v1/FaultRef';
import type { FaultRequest as _dcbox_orchestrator_v1_FaultRequest, FaultRequest__Output as _dcbox_orchestrator_v1_FaultRequest__Output } from '../../../dcbox/orchestrator/v1/FaultRequest';
import type { PartitionRequest as _dcbox_orchestrator_v1_PartitionRequest, PartitionRequest__Output as _dcbox_orchestrator_v1_PartitionRequest__Output } from '../../../dcbox/orchestrator/v1/PartitionRequest';
import type { PartitionResponse as _dcbox_orchestrator_v1_PartitionResponse, PartitionResponse__Output as _dcbox_orchestrator_v1_PartitionResponse__Output } from '../../../dcbox/orchestrator/v1/PartitionResponse';
import type { RunStatus as _dcbox_orchestrator_v1_RunStatus, RunStatus__Output as _dcbox_orchestrator_v1_RunStatus__Output } from '../../../dcbox/orchestrator/v1/RunStatus';
import type { StreamEvent as _dcbox_orchestrator_v1_StreamEvent, StreamEvent__Output as _dcbox_orchestrator_v1_StreamEvent__Output } from '../../../dcbox/orchestrator/v1/StreamEvent';

export interface OrchestratorClient extends grpc.Client {
  Events(argument: _dcbox_orchestrator_v1_EventsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_dcbox_orchestrator_v1_StreamEvent__Output>;
  Events(argument: _dcbox_orchestrator_v1_EventsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_dcbox_orchestrator_v1_StreamEvent__Output>;
  events(argument: _dcbox_orchestrator_v1_EventsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_dcbox_orchestrator_v1_StreamEvent__Output>;
  events(argument: _dcbox_orchestrator_v1_EventsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_dcbox_orchestrator_v1_StreamEvent__Output>;
  
  Heal(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_orchestrator_v1_PartitionResponse__Output>): grpc.ClientUnaryCall;
  Heal(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_orchestrator_v1_PartitionResponse__Output>): grpc.ClientUnaryCall;
  Heal(argument: _dcbox_common_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_orchestrator_v1_PartitionResponse__Output>): grpc.ClientUnaryCall;
  Heal(argument: _dcbox_common_v1_Empty, callback: grpc.requestCallback<_dcbox_orchestrator_v1_PartitionResponse__Output>): grpc.ClientUnaryCall;
  heal(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_orchestrator_v1_PartitionResponse__Output>): grpc.ClientUnaryCall;
  heal(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_orchestrator_v1_PartitionResponse__Output>): grpc.ClientUnaryCall;
  heal(argument: _dcbox_common_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_orchestrator_v1_PartitionResponse__Output>): grpc.ClientUnaryCall;
  heal(argument: _dcbox_common_v1_Empty, callback: grpc.requestCallback<_dcbox_orchestrator_v1_PartitionResponse__Output>): grpc.ClientUnaryCall;
  
  InjectFault(argument: _dcbox_orchestrator_v1_FaultRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_orchestrator_v1_Fault__Output>): grpc.ClientUnaryCall;
  InjectFault(argument: _dcbox_orchestrator_v1_FaultRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_orchestrator_v1_Fault__Output>): grpc.ClientUnaryCall;
  InjectFault(argument: _dcbox_orchestrator_v1_FaultRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_orchestrator_v1_Fault__Output>): grpc.ClientUnaryCall;
  InjectFault(argument: _dcbox_orchestrator_v1_FaultRequest, callback: grpc.requestCallback<_dcbox_orchestrator_v1_Fault__Output>): grpc.ClientUnaryCall;
  injectFault(argument: _dcbox_orchestrator_v1_FaultRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_orchestrator_v1_Fault__Output>): grpc.ClientUnaryCall;
  injectFault(argument: _dcbox_orchestrator_v1_FaultRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_orchestrator_v1_Fault__Output>): grpc.ClientUnaryCall;
  injectFault(argument: _dcbox_orchestrator_v1_FaultRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_orchestrator_v1_Fault__Output>): grpc.ClientUnaryCall;
  injectFault(argument: _dcbox_orchestrator_v1_FaultRequest, callback: grpc.requestCallback<_dcbox_orchestrator_v1_Fault__Output>): grpc.ClientUnaryCall;
  
  LiftAll(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_orchestrator_v1_FaultList__Output>): grpc.ClientUnaryCall;
  LiftAll(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_orchestrator_v1_FaultList__Output>): grpc.ClientUnaryCall;
  LiftAll(argument: _dcbox_common_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_orchestrator_v1_FaultList__Output>): grpc.ClientUnaryCall;
  LiftAll(argument: _dcbox_common_v1_Empty, callback: grpc.requestCallback<_dcbox_orchestrator_v1_FaultList__Output>): grpc.ClientUnaryCall;
  liftAll(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_orchestrator_v1_FaultList__Output>): grpc.ClientUnaryCall;
  liftAll(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_orchestrator_v1_FaultList__Output>): grpc.ClientUnaryCall;
  liftAll(argument: _dcbox_common_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_orchestrator_v1_FaultList__Output>): grpc.ClientUnaryCall;
  liftAll(argument: _dcbox_common_v1_Empty, callback: grpc.requestCallback<_dcbox_orchestrator_v1_FaultList__Output>): grpc.ClientUnaryCall;
  
  LiftFault(argument: _dcbox_orchestrator_v1_FaultRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_orchestrator_v1_Fault__Output>): grpc.ClientUnaryCall;
  LiftFault(argument: _dcbox_orchestrator_v1_FaultRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_orchestrator_v1_Fault__Output>): grpc.ClientUnaryCall;
  LiftFault(argument: _dcbox_orchestrator_v1_FaultRef, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_orchestrator_v1_Fault__Output>): grpc.ClientUnaryCall;
  LiftFault(argument: _dcbox_orchestrator_v1_FaultRef, callback: grpc.requestCallback<_dcbox_orchestrator_v1_Fault__Output>): grpc.ClientUnaryCall;
  liftFault(argument: _dcbox_orchestrator_v1_FaultRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_orchestrator_v1_Fault__Output>): grpc.ClientUnaryCall;
  liftFault(argument: _dcbox_orchestrator_v1_FaultRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_orchestrator_v1_Fault__Output>): grpc.ClientUnaryCall;
  liftFault(argument: _dcbox_orchestrator_v1_FaultRef, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_orchestrator_v1_Fault__Output>): grpc.ClientUnaryCall;
  liftFault(argument: _dcbox_orchestrator_v1_FaultRef, callback: grpc.requestCallback<_dcbox_orchestrator_v1_Fault__Output>): grpc.ClientUnaryCall;
  
  ListFaults(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_orchestrator_v1_FaultList__Output>): grpc.ClientUnaryCall;
  ListFaults(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_orchestrator_v1_FaultList__Output>): grpc.ClientUnaryCall;
  ListFaults(argument: _dcbox_common_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_orchestrator_v1_FaultList__Output>): grpc.ClientUnaryCall;
  ListFaults(argument: _dcbox_common_v1_Empty, callback: grpc.requestCallback<_dcbox_orchestrator_v1_FaultList__Output>): grpc.ClientUnaryCall;
  listFaults(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_orchestrator_v1_FaultList__Output>): grpc.ClientUnaryCall;
  listFaults(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_orchestrator_v1_FaultList__Output>): grpc.ClientUnaryCall;
  listFaults(argument: _dcbox_common_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_orchestrator_v1_FaultList__Output>): grpc.ClientUnaryCall;
  listFaults(argument: _dcbox_common_v1_Empty, callback: grpc.requestCallback<_dcbox_orchestrator_v1_FaultList__Output>): grpc.ClientUnaryCall;
  
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
  Events: grpc.handleServerStreamingCall<_dcbox_orchestrator_v1_EventsRequest__Output, _dcbox_orchestrator_v1_StreamEvent>;
  
  Heal: grpc.handleUnaryCall<_dcbox_common_v1_Empty__Output, _dcbox_orchestrator_v1_PartitionResponse>;
  
  InjectFault: grpc.handleUnaryCall<_dcbox_orchestrator_v1_FaultRequest__Output, _dcbox_orchestrator_v1_Fault>;
  
  LiftAll: grpc.handleUnaryCall<_dcbox_common_v1_Empty__Output, _dcbox_orchestrator_v1_FaultList>;
  
  LiftFault: grpc.handleUnaryCall<_dcbox_orchestrator_v1_FaultRef__Output, _dcbox_orchestrator_v1_Fault>;
  
  ListFaults: grpc.handleUnaryCall<_dcbox_common_v1_Empty__Output, _dcbox_orchestrator_v1_FaultList>;
  
  Partition: grpc.handleUnaryCall<_dcbox_orchestrator_v1_PartitionRequest__Output, _dcbox_orchestrator_v1_PartitionResponse>;
  
  Shutdown: grpc.handleUnaryCall<_dcbox_common_v1_Empty__Output, _dcbox_common_v1_Empty>;
  
  Status: grpc.handleUnaryCall<_dcbox_common_v1_Empty__Output, _dcbox_orchestrator_v1_RunStatus>;
  
}

export interface OrchestratorDefinition extends grpc.ServiceDefinition {
  Events: MethodDefinition<_dcbox_orchestrator_v1_EventsRequest, _dcbox_orchestrator_v1_StreamEvent, _dcbox_orchestrator_v1_EventsRequest__Output, _dcbox_orchestrator_v1_StreamEvent__Output>
  Heal: MethodDefinition<_dcbox_common_v1_Empty, _dcbox_orchestrator_v1_PartitionResponse, _dcbox_common_v1_Empty__Output, _dcbox_orchestrator_v1_PartitionResponse__Output>
  InjectFault: MethodDefinition<_dcbox_orchestrator_v1_FaultRequest, _dcbox_orchestrator_v1_Fault, _dcbox_orchestrator_v1_FaultRequest__Output, _dcbox_orchestrator_v1_Fault__Output>
  LiftAll: MethodDefinition<_dcbox_common_v1_Empty, _dcbox_orchestrator_v1_FaultList, _dcbox_common_v1_Empty__Output, _dcbox_orchestrator_v1_FaultList__Output>
  LiftFault: MethodDefinition<_dcbox_orchestrator_v1_FaultRef, _dcbox_orchestrator_v1_Fault, _dcbox_orchestrator_v1_FaultRef__Output, _dcbox_orchestrator_v1_Fault__Output>
  ListFaults: MethodDefinition<_dcbox_common_v1_Empty, _dcbox_orchestrator_v1_FaultList, _dcbox_common_v1_Empty__Output, _dcbox_orchestrator_v1_FaultList__Output>
  Partition: MethodDefinition<_dcbox_orchestrator_v1_PartitionRequest, _dcbox_orchestrator_v1_PartitionResponse, _dcbox_orchestrator_v1_PartitionRequest__Output, _dcbox_orchestrator_v1_PartitionResponse__Output>
  Shutdown: MethodDefinition<_dcbox_common_v1_Empty, _dcbox_common_v1_Empty, _dcbox_common_v1_Empty__Output, _dcbox_common_v1_Empty__Output>
  Status: MethodDefinition<_dcbox_common_v1_Empty, _dcbox_orchestrator_v1_RunStatus, _dcbox_common_v1_Empty__Output, _dcbox_orchestrator_v1_RunStatus__Output>
}
