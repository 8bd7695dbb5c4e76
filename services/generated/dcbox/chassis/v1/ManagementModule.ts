// Original file: proto/chassis.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { Chassis as _dcbox_chassis_v1_Chassis, Chassis__Output as _dcbox_chassis_v1_Chassis__Output } from '../../../dcbox/chassis/v1/Chassis';
import type { Empty as _dcbox_common_v1_Empty, Empty__Output as _dcbox_common_v1_Empty__Output } from '../../../dcbox/common/v1/Empty';
import type { EventLog as _dcbox_chassis_v1_EventLog, EventLog__Output as _dcbox_chassis_v1_EventLog__Output } from '../../../dcbox/chassis/v1/EventLog';
import type { PowerRequest as _dcbox_chassis_v1_PowerRequest, PowerRequest__Output as _dcbox_chassis_v1_PowerRequest__Output } from '../../../dcbox/chassis/v1/PowerRequest';
import type { PowerResponse as _dcbox_chassis_v1_PowerResponse, PowerResponse__Output as _dcbox_chassis_v1_PowerResponse__Output } from '../../../dcbox/chassis/v1/PowerResponse';

export interface ManagementModuleClient extends grpc.Client {
  GetChassis(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_chassis_v1_Chassis__Output>): grpc.ClientUnaryCall;
  GetChassis(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_chassis_v1_Chassis__Output>): grpc.ClientUnaryCall;
  GetChassis(argument: _dcbox_common_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_chassis_v1_Chassis__Output>): grpc.ClientUnaryCall;
  GetChassis(argument: _dcbox_common_v1_Empty, callback: grpc.requestCallback<_dcbox_chassis_v1_Chassis__Output>): grpc.ClientUnaryCall;
  getChassis(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_chassis_v1_Chassis__Output>): grpc.ClientUnaryCall;
  getChassis(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_chassis_v1_Chassis__Output>): grpc.ClientUnaryCall;
  getChassis(argument: _dcbox_common_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_chassis_v1_Chassis__Output>): grpc.ClientUnaryCall;
  getChassis(argument: _dcbox_common_v1_Empty, callback: grpc.requestCallback<_dcbox_chassis_v1_Chassis__Output>): grpc.ClientUnaryCall;
  
  GetEventLog(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_chassis_v1_EventLog__Output>): grpc.ClientUnaryCall;
  GetEventLog(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_chassis_v1_EventLog__Output>): grpc.ClientUnaryCall;
  GetEventLog(argument: _dcbox_common_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_chassis_v1_EventLog__Output>): grpc.ClientUnaryCall;
  GetEventLog(argument: _dcbox_common_v1_Empty, callback: grpc.requestCallback<_dcbox_chassis_v1_EventLog__Output>): grpc.ClientUnaryCall;
  getEventLog(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_chassis_v1_EventLog__Output>): grpc.ClientUnaryCall;
  getEventLog(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_chassis_v1_EventLog__Output>): grpc.ClientUnaryCall;
  getEventLog(argument: _dcbox_common_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_chassis_v1_EventLog__Output>): grpc.ClientUnaryCall;
  getEventLog(argument: _dcbox_common_v1_Empty, callback: grpc.requestCallback<_dcbox_chassis_v1_EventLog__Output>): grpc.ClientUnaryCall;
  
  Power(argument: _dcbox_chassis_v1_PowerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_chassis_v1_PowerResponse__Output>): grpc.ClientUnaryCall;
  Power(argument: _dcbox_chassis_v1_PowerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_chassis_v1_PowerResponse__Output>): grpc.ClientUnaryCall;
  Power(argument: _dcbox_chassis_v1_PowerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_chassis_v1_PowerResponse__Output>): grpc.ClientUnaryCall;
  Power(argument: _dcbox_chassis_v1_PowerRequest, callback: grpc.requestCallback<_dcbox_chassis_v1_PowerResponse__Output>): grpc.ClientUnaryCall;
  power(argument: _dcbox_chassis_v1_PowerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_chassis_v1_PowerResponse__Output>): grpc.ClientUnaryCall;
  power(argument: _dcbox_chassis_v1_PowerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_chassis_v1_PowerResponse__Output>): grpc.ClientUnaryCall;
  power(argument: _dcbox_chassis_v1_PowerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_chassis_v1_PowerResponse__Output>): grpc.ClientUnaryCall;
  power(argument: _dcbox_chassis_v1_PowerRequest, callback: grpc.requestCallback<_dcbox_chassis_v1_PowerResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface ManagementModuleHandlers extends grpc.UntypedServiceImplementation {
  GetChassis: grpc.handleUnaryCall<_dcbox_common_v1_Empty__Output, _dcbox_chassis_v1_Chassis>;
  
  GetEventLog: grpc.handleUnaryCall<_dcbox_common_v1_Empty__Output, _dcbox_chassis_v1_EventLog>;
  
  Power: grpc.handleUnaryCall<_dcbox_chassis_v1_PowerRequest__Output, _dcbox_chassis_v1_PowerResponse>;
  
}

export interface ManagementModuleDefinition extends grpc.ServiceDefinition {
  GetChassis: MethodDefinition<_dcbox_common_v1_Empty, _dcbox_chassis_v1_Chassis, _dcbox_common_v1_Empty__Output, _dcbox_chassis_v1_Chassis__Output>
  GetEventLog: MethodDefinition<_dcbox_common_v1_Empty, _dcbox_chassis_v1_EventLog, _dcbox_common_v1_Empty__Output, _dcbox_chassis_v1_EventLog__Output>
  Power: MethodDefinition<_dcbox_chassis_v1_PowerRequest, _dcbox_chassis_v1_PowerResponse, _dcbox_chassis_v1_PowerRequest__Output, _dcbox_chassis_v1_PowerResponse__Output>
}
