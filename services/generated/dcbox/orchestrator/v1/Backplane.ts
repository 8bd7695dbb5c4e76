// Original file: proto/orchestrator.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { HostPower as _dcbox_orchestrator_v1_HostPower, HostPower__Output as _dcbox_orchestrator_v1_HostPower__Output } from '../../../dcbox/orchestrator/v1/HostPower';
import type { PowerRequest as _dcbox_orchestrator_v1_PowerRequest, PowerRequest__Output as _dcbox_orchestrator_v1_PowerRequest__Output } from '../../../dcbox/orchestrator/v1/PowerRequest';

export interface BackplaneClient extends grpc.Client {
  GetPower(argument: _dcbox_orchestrator_v1_PowerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_orchestrator_v1_HostPower__Output>): grpc.ClientUnaryCall;
  GetPower(argument: _dcbox_orchestrator_v1_PowerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_orchestrator_v1_HostPower__Output>): grpc.ClientUnaryCall;
  GetPower(argument: _dcbox_orchestrator_v1_PowerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_orchestrator_v1_HostPower__Output>): grpc.ClientUnaryCall;
  GetPower(argument: _dcbox_orchestrator_v1_PowerRequest, callback: grpc.requestCallback<_dcbox_orchestrator_v1_HostPower__Output>): grpc.ClientUnaryCall;
  getPower(argument: _dcbox_orchestrator_v1_PowerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_orchestrator_v1_HostPower__Output>): grpc.ClientUnaryCall;
  getPower(argument: _dcbox_orchestrator_v1_PowerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_orchestrator_v1_HostPower__Output>): grpc.ClientUnaryCall;
  getPower(argument: _dcbox_orchestrator_v1_PowerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_orchestrator_v1_HostPower__Output>): grpc.ClientUnaryCall;
  getPower(argument: _dcbox_orchestrator_v1_PowerRequest, callback: grpc.requestCallback<_dcbox_orchestrator_v1_HostPower__Output>): grpc.ClientUnaryCall;
  
  SetPower(argument: _dcbox_orchestrator_v1_PowerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_orchestrator_v1_HostPower__Output>): grpc.ClientUnaryCall;
  SetPower(argument: _dcbox_orchestrator_v1_PowerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_orchestrator_v1_HostPower__Output>): grpc.ClientUnaryCall;
  SetPower(argument: _dcbox_orchestrator_v1_PowerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_orchestrator_v1_HostPower__Output>): grpc.ClientUnaryCall;
  SetPower(argument: _dcbox_orchestrator_v1_PowerRequest, callback: grpc.requestCallback<_dcbox_orchestrator_v1_HostPower__Output>): grpc.ClientUnaryCall;
  setPower(argument: _dcbox_orchestrator_v1_PowerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_orchestrator_v1_HostPower__Output>): grpc.ClientUnaryCall;
  setPower(argument: _dcbox_orchestrator_v1_PowerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_orchestrator_v1_HostPower__Output>): grpc.ClientUnaryCall;
  setPower(argument: _dcbox_orchestrator_v1_PowerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_orchestrator_v1_HostPower__Output>): grpc.ClientUnaryCall;
  setPower(argument: _dcbox_orchestrator_v1_PowerRequest, callback: grpc.requestCallback<_dcbox_orchestrator_v1_HostPower__Output>): grpc.ClientUnaryCall;
  
}

export interface BackplaneHandlers extends grpc.UntypedServiceImplementation {
  GetPower: grpc.handleUnaryCall<_dcbox_orchestrator_v1_PowerRequest__Output, _dcbox_orchestrator_v1_HostPower>;
  
  SetPower: grpc.handleUnaryCall<_dcbox_orchestrator_v1_PowerRequest__Output, _dcbox_orchestrator_v1_HostPower>;
  
}

export interface BackplaneDefinition extends grpc.ServiceDefinition {
  GetPower: MethodDefinition<_dcbox_orchestrator_v1_PowerRequest, _dcbox_orchestrator_v1_HostPower, _dcbox_orchestrator_v1_PowerRequest__Output, _dcbox_orchestrator_v1_HostPower__Output>
  SetPower: MethodDefinition<_dcbox_orchestrator_v1_PowerRequest, _dcbox_orchestrator_v1_HostPower, _dcbox_orchestrator_v1_PowerRequest__Output, _dcbox_orchestrator_v1_HostPower__Output>
}
