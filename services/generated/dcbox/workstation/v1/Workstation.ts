// Original file: proto/workstation.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { PingReply as _dcbox_workstation_v1_PingReply, PingReply__Output as _dcbox_workstation_v1_PingReply__Output } from '../../../dcbox/workstation/v1/PingReply';
import type { PingRequest as _dcbox_workstation_v1_PingRequest, PingRequest__Output as _dcbox_workstation_v1_PingRequest__Output } from '../../../dcbox/workstation/v1/PingRequest';

export interface WorkstationClient extends grpc.Client {
  Ping(argument: _dcbox_workstation_v1_PingRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_dcbox_workstation_v1_PingReply__Output>;
  Ping(argument: _dcbox_workstation_v1_PingRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_dcbox_workstation_v1_PingReply__Output>;
  ping(argument: _dcbox_workstation_v1_PingRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_dcbox_workstation_v1_PingReply__Output>;
  ping(argument: _dcbox_workstation_v1_PingRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_dcbox_workstation_v1_PingReply__Output>;
  
}

export interface WorkstationHandlers extends grpc.UntypedServiceImplementation {
  Ping: grpc.handleServerStreamingCall<_dcbox_workstation_v1_PingRequest__Output, _dcbox_workstation_v1_PingReply>;
  
}

export interface WorkstationDefinition extends grpc.ServiceDefinition {
  Ping: MethodDefinition<_dcbox_workstation_v1_PingRequest, _dcbox_workstation_v1_PingReply, _dcbox_workstation_v1_PingRequest__Output, _dcbox_workstation_v1_PingReply__Output>
}
