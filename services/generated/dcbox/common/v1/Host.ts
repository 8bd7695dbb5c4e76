// Original file: proto/common.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { EchoRequest as _dcbox_common_v1_EchoRequest, EchoRequest__Output as _dcbox_common_v1_EchoRequest__Output } from '../../../dcbox/common/v1/EchoRequest';
import type { EchoResponse as _dcbox_common_v1_EchoResponse, EchoResponse__Output as _dcbox_common_v1_EchoResponse__Output } from '../../../dcbox/common/v1/EchoResponse';
import type { Empty as _dcbox_common_v1_Empty, Empty__Output as _dcbox_common_v1_Empty__Output } from '../../../dcbox/common/v1/Empty';
import type { HostInfo as _dcbox_common_v1_HostInfo, HostInfo__Output as _dcbox_common_v1_HostInfo__Output } from '../../../dcbox/common/v1/HostInfo';

export interface HostClient extends grpc.Client {
  Echo(argument: _dcbox_common_v1_EchoRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_common_v1_EchoResponse__Output>): grpc.ClientUnaryCall;
  Echo(argument: _dcbox_common_v1_EchoRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_common_v1_EchoResponse__Output>): grpc.ClientUnaryCall;
  Echo(argument: _dcbox_common_v1_EchoRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_common_v1_EchoResponse__Output>): grpc.ClientUnaryCall;
  Echo(argument: _dcbox_common_v1_EchoRequest, callback: grpc.requestCallback<_dcbox_common_v1_EchoResponse__Output>): grpc.ClientUnaryCall;
  echo(argument: _dcbox_common_v1_EchoRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_common_v1_EchoResponse__Output>): grpc.ClientUnaryCall;
  echo(argument: _dcbox_common_v1_EchoRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_common_v1_EchoResponse__Output>): grpc.ClientUnaryCall;
  echo(argument: _dcbox_common_v1_EchoRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_common_v1_EchoResponse__Output>): grpc.ClientUnaryCall;
  echo(argument: _dcbox_common_v1_EchoRequest, callback: grpc.requestCallback<_dcbox_common_v1_EchoResponse__Output>): grpc.ClientUnaryCall;
  
  Info(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_common_v1_HostInfo__Output>): grpc.ClientUnaryCall;
  Info(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_common_v1_HostInfo__Output>): grpc.ClientUnaryCall;
  Info(argument: _dcbox_common_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_common_v1_HostInfo__Output>): grpc.ClientUnaryCall;
  Info(argument: _dcbox_common_v1_Empty, callback: grpc.requestCallback<_dcbox_common_v1_HostInfo__Output>): grpc.ClientUnaryCall;
  info(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_common_v1_HostInfo__Output>): grpc.ClientUnaryCall;
  info(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_common_v1_HostInfo__Output>): grpc.ClientUnaryCall;
  info(argument: _dcbox_common_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_common_v1_HostInfo__Output>): grpc.ClientUnaryCall;
  info(argument: _dcbox_common_v1_Empty, callback: grpc.requestCallback<_dcbox_common_v1_HostInfo__Output>): grpc.ClientUnaryCall;
  
}

export interface HostHandlers extends grpc.UntypedServiceImplementation {
  Echo: grpc.handleUnaryCall<_dcbox_common_v1_EchoRequest__Output, _dcbox_common_v1_EchoResponse>;
  
  Info: grpc.handleUnaryCall<_dcbox_common_v1_Empty__Output, _dcbox_common_v1_HostInfo>;
  
}

export interface HostDefinition extends grpc.ServiceDefinition {
  Echo: MethodDefinition<_dcbox_common_v1_EchoRequest, _dcbox_common_v1_EchoResponse, _dcbox_common_v1_EchoRequest__Output, _dcbox_common_v1_EchoResponse__Output>
  Info: MethodDefinition<_dcbox_common_v1_Empty, _dcbox_common_v1_HostInfo, _dcbox_common_v1_Empty__Output, _dcbox_common_v1_HostInfo__Output>
}
