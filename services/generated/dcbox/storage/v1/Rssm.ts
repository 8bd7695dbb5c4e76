// Original file: proto/storage.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { Empty as _dcbox_common_v1_Empty, Empty__Output as _dcbox_common_v1_Empty__Output } from '../../../dcbox/common/v1/Empty';
import type { RssmStatus as _dcbox_storage_v1_RssmStatus, RssmStatus__Output as _dcbox_storage_v1_RssmStatus__Output } from '../../../dcbox/storage/v1/RssmStatus';
import type { ZoningRequest as _dcbox_storage_v1_ZoningRequest, ZoningRequest__Output as _dcbox_storage_v1_ZoningRequest__Output } from '../../../dcbox/storage/v1/ZoningRequest';

export interface RssmClient extends grpc.Client {
  SetZoning(argument: _dcbox_storage_v1_ZoningRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_RssmStatus__Output>): grpc.ClientUnaryCall;
  SetZoning(argument: _dcbox_storage_v1_ZoningRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_storage_v1_RssmStatus__Output>): grpc.ClientUnaryCall;
  SetZoning(argument: _dcbox_storage_v1_ZoningRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_RssmStatus__Output>): grpc.ClientUnaryCall;
  SetZoning(argument: _dcbox_storage_v1_ZoningRequest, callback: grpc.requestCallback<_dcbox_storage_v1_RssmStatus__Output>): grpc.ClientUnaryCall;
  setZoning(argument: _dcbox_storage_v1_ZoningRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_RssmStatus__Output>): grpc.ClientUnaryCall;
  setZoning(argument: _dcbox_storage_v1_ZoningRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_storage_v1_RssmStatus__Output>): grpc.ClientUnaryCall;
  setZoning(argument: _dcbox_storage_v1_ZoningRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_RssmStatus__Output>): grpc.ClientUnaryCall;
  setZoning(argument: _dcbox_storage_v1_ZoningRequest, callback: grpc.requestCallback<_dcbox_storage_v1_RssmStatus__Output>): grpc.ClientUnaryCall;
  
  Status(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_RssmStatus__Output>): grpc.ClientUnaryCall;
  Status(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_storage_v1_RssmStatus__Output>): grpc.ClientUnaryCall;
  Status(argument: _dcbox_common_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_RssmStatus__Output>): grpc.ClientUnaryCall;
  Status(argument: _dcbox_common_v1_Empty, callback: grpc.requestCallback<_dcbox_storage_v1_RssmStatus__Output>): grpc.ClientUnaryCall;
  status(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_RssmStatus__Output>): grpc.ClientUnaryCall;
  status(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_storage_v1_RssmStatus__Output>): grpc.ClientUnaryCall;
  status(argument: _dcbox_common_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_RssmStatus__Output>): grpc.ClientUnaryCall;
  status(argument: _dcbox_common_v1_Empty, callback: grpc.requestCallback<_dcbox_storage_v1_RssmStatus__Output>): grpc.ClientUnaryCall;
  
}

export interface RssmHandlers extends grpc.UntypedServiceImplementation {
  SetZoning: grpc.handleUnaryCall<_dcbox_storage_v1_ZoningRequest__Output, _dcbox_storage_v1_RssmStatus>;
  
  Status: grpc.handleUnaryCall<_dcbox_common_v1_Empty__Output, _dcbox_storage_v1_RssmStatus>;
  
}

export interface RssmDefinition extends grpc.ServiceDefinition {
  SetZoning: MethodDefinition<_dcbox_storage_v1_ZoningRequest, _dcbox_storage_v1_RssmStatus, _dcbox_storage_v1_ZoningRequest__Output, _dcbox_storage_v1_RssmStatus__Output>
  Status: MethodDefinition<_dcbox_common_v1_Empty, _dcbox_storage_v1_RssmStatus, _dcbox_common_v1_Empty__Output, _dcbox_storage_v1_RssmStatus__Output>
}
