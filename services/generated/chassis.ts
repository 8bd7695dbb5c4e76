import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { Bay as _dcbox_chassis_v1_Bay, Bay__Output as _dcbox_chassis_v1_Bay__Output } from './dcbox/chassis/v1/Bay';
import type { Chassis as _dcbox_chassis_v1_Chassis, Chassis__Output as _dcbox_chassis_v1_Chassis__Output } from './dcbox/chassis/v1/Chassis';
import type { EventLog as _dcbox_chassis_v1_EventLog, EventLog__Output as _dcbox_chassis_v1_EventLog__Output } from './dcbox/chassis/v1/EventLog';
import type { LogEntry as _dcbox_chassis_v1_LogEntry, LogEntry__Output as _dcbox_chassis_v1_LogEntry__Output } from './dcbox/chassis/v1/LogEntry';
import type { ManagementModuleClient as _dcbox_chassis_v1_ManagementModuleClient, ManagementModuleDefinition as _dcbox_chassis_v1_ManagementModuleDefinition } from './dcbox/chassis/v1/ManagementModule';
import type { PowerRequest as _dcbox_chassis_v1_PowerRequest, PowerRequest__Output as _dcbox_chassis_v1_PowerRequest__Output } from './dcbox/chassis/v1/PowerRequest';
import type { PowerResponse as _dcbox_chassis_v1_PowerResponse, PowerResponse__Output as _dcbox_chassis_v1_PowerResponse__Output } from './dcbox/chassis/v1/PowerResponse';
import type { EchoRequest as _dcbox_common_v1_EchoRequest, EchoRequest__Output as _dcbox_common_v1_EchoRequest__Output } from './dcbox/common/v1/EchoRequest';
import type { EchoResponse as _dcbox_common_v1_EchoResponse, EchoResponse__Output as _dcbox_common_v1_EchoResponse__Output } from './dcbox/common/v1/EchoResponse';
import type { Empty as _dcbox_common_v1_Empty, Empty__Output as _dcbox_common_v1_Empty__Output } from './dcbox/common/v1/Empty';
import type { HostClient as _dcbox_common_v1_HostClient, HostDefinition as _dcbox_common_v1_HostDefinition } from './dcbox/common/v1/Host';
import type { HostInfo as _dcbox_common_v1_HostInfo, HostInfo__Output as _dcbox_common_v1_HostInfo__Output } from './dcbox/common/v1/HostInfo';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  dcbox: {
    chassis: {
      v1: {
        Bay: MessageTypeDefinition<_dcbox_chassis_v1_Bay, _dcbox_chassis_v1_Bay__Output>
        Chassis: MessageTypeDefinition<_dcbox_chassis_v1_Chassis, _dcbox_chassis_v1_Chassis__Output>
        EventLog: MessageTypeDefinition<_dcbox_chassis_v1_EventLog, _dcbox_chassis_v1_EventLog__Output>
        LogEntry: MessageTypeDefinition<_dcbox_chassis_v1_LogEntry, _dcbox_chassis_v1_LogEntry__Output>
        ManagementModule: SubtypeConstructor<typeof grpc.Client, _dcbox_chassis_v1_ManagementModuleClient> & { service: _dcbox_chassis_v1_ManagementModuleDefinition }
        PowerRequest: MessageTypeDefinition<_dcbox_chassis_v1_PowerRequest, _dcbox_chassis_v1_PowerRequest__Output>
        PowerResponse: MessageTypeDefinition<_dcbox_chassis_v1_PowerResponse, _dcbox_chassis_v1_PowerResponse__Output>
      }
    }
    common: {
      v1: {
        EchoRequest: MessageTypeDefinition<_dcbox_common_v1_EchoRequest, _dcbox_common_v1_EchoRequest__Output>
        EchoResponse: MessageTypeDefinition<_dcbox_common_v1_EchoResponse, _dcbox_common_v1_EchoResponse__Output>
        Empty: MessageTypeDefinition<_dcbox_common_v1_Empty, _dcbox_common_v1_Empty__Output>
        Host: SubtypeConstructor<typeof grpc.Client, _dcbox_common_v1_HostClient> & { service: _dcbox_common_v1_HostDefinition }
        HostInfo: MessageTypeDefinition<_dcbox_common_v1_HostInfo, _dcbox_common_v1_HostInfo__Output>
      }
    }
  }
}

