import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { EchoRequest as _dcbox_common_v1_EchoRequest, EchoRequest__Output as _dcbox_common_v1_EchoRequest__Output } from './dcbox/common/v1/EchoRequest';
import type { EchoResponse as _dcbox_common_v1_EchoResponse, EchoResponse__Output as _dcbox_common_v1_EchoResponse__Output } from './dcbox/common/v1/EchoResponse';
import type { Empty as _dcbox_common_v1_Empty, Empty__Output as _dcbox_common_v1_Empty__Output } from './dcbox/common/v1/Empty';
import type { HostClient as _dcbox_common_v1_HostClient, HostDefinition as _dcbox_common_v1_HostDefinition } from './dcbox/common/v1/Host';
import type { HostInfo as _dcbox_common_v1_HostInfo, HostInfo__Output as _dcbox_common_v1_HostInfo__Output } from './dcbox/common/v1/HostInfo';
import type { BackplaneClient as _dcbox_orchestrator_v1_BackplaneClient, BackplaneDefinition as _dcbox_orchestrator_v1_BackplaneDefinition } from './dcbox/orchestrator/v1/Backplane';
import type { EventsRequest as _dcbox_orchestrator_v1_EventsRequest, EventsRequest__Output as _dcbox_orchestrator_v1_EventsRequest__Output } from './dcbox/orchestrator/v1/EventsRequest';
import type { Fault as _dcbox_orchestrator_v1_Fault, Fault__Output as _dcbox_orchestrator_v1_Fault__Output } from './dcbox/orchestrator/v1/Fault';
import type { FaultList as _dcbox_orchestrator_v1_FaultList, FaultList__Output as _dcbox_orchestrator_v1_FaultList__Output } from './dcbox/orchestrator/v1/FaultList';
import type { FaultRef as _dcbox_orchestrator_v1_FaultRef, FaultRef__Output as _dcbox_orchestrator_v1_FaultRef__Output } from './dcbox/orchestrator/v1/FaultRef';
import type { FaultRequest as _dcbox_orchestrator_v1_FaultRequest, FaultRequest__Output as _dcbox_orchestrator_v1_FaultRequest__Output } from './dcbox/orchestrator/v1/FaultRequest';
import type { HostPower as _dcbox_orchestrator_v1_HostPower, HostPower__Output as _dcbox_orchestrator_v1_HostPower__Output } from './dcbox/orchestrator/v1/HostPower';
import type { HostStatus as _dcbox_orchestrator_v1_HostStatus, HostStatus__Output as _dcbox_orchestrator_v1_HostStatus__Output } from './dcbox/orchestrator/v1/HostStatus';
import type { NetemSpec as _dcbox_orchestrator_v1_NetemSpec, NetemSpec__Output as _dcbox_orchestrator_v1_NetemSpec__Output } from './dcbox/orchestrator/v1/NetemSpec';
import type { OrchestratorClient as _dcbox_orchestrator_v1_OrchestratorClient, OrchestratorDefinition as _dcbox_orchestrator_v1_OrchestratorDefinition } from './dcbox/orchestrator/v1/Orchestrator';
import type { PartitionGroup as _dcbox_orchestrator_v1_PartitionGroup, PartitionGroup__Output as _dcbox_orchestrator_v1_PartitionGroup__Output } from './dcbox/orchestrator/v1/PartitionGroup';
import type { PartitionRequest as _dcbox_orchestrator_v1_PartitionRequest, PartitionRequest__Output as _dcbox_orchestrator_v1_PartitionRequest__Output } from './dcbox/orchestrator/v1/PartitionRequest';
import type { PartitionResponse as _dcbox_orchestrator_v1_PartitionResponse, PartitionResponse__Output as _dcbox_orchestrator_v1_PartitionResponse__Output } from './dcbox/orchestrator/v1/PartitionResponse';
import type { PowerRequest as _dcbox_orchestrator_v1_PowerRequest, PowerRequest__Output as _dcbox_orchestrator_v1_PowerRequest__Output } from './dcbox/orchestrator/v1/PowerRequest';
import type { ProcessStatus as _dcbox_orchestrator_v1_ProcessStatus, ProcessStatus__Output as _dcbox_orchestrator_v1_ProcessStatus__Output } from './dcbox/orchestrator/v1/ProcessStatus';
import type { RunStatus as _dcbox_orchestrator_v1_RunStatus, RunStatus__Output as _dcbox_orchestrator_v1_RunStatus__Output } from './dcbox/orchestrator/v1/RunStatus';
import type { StreamEvent as _dcbox_orchestrator_v1_StreamEvent, StreamEvent__Output as _dcbox_orchestrator_v1_StreamEvent__Output } from './dcbox/orchestrator/v1/StreamEvent';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  dcbox: {
    common: {
      v1: {
        EchoRequest: MessageTypeDefinition<_dcbox_common_v1_EchoRequest, _dcbox_common_v1_EchoRequest__Output>
        EchoResponse: MessageTypeDefinition<_dcbox_common_v1_EchoResponse, _dcbox_common_v1_EchoResponse__Output>
        Empty: MessageTypeDefinition<_dcbox_common_v1_Empty, _dcbox_common_v1_Empty__Output>
        Host: SubtypeConstructor<typeof grpc.Client, _dcbox_common_v1_HostClient> & { service: _dcbox_common_v1_HostDefinition }
        HostInfo: MessageTypeDefinition<_dcbox_common_v1_HostInfo, _dcbox_common_v1_HostInfo__Output>
      }
    }
    orchestrator: {
      v1: {
        Backplane: SubtypeConstructor<typeof grpc.Client, _dcbox_orchestrator_v1_BackplaneClient> & { service: _dcbox_orchestrator_v1_BackplaneDefinition }
        EventsRequest: MessageTypeDefinition<_dcbox_orchestrator_v1_EventsRequest, _dcbox_orchestrator_v1_EventsRequest__Output>
        Fault: MessageTypeDefinition<_dcbox_orchestrator_v1_Fault, _dcbox_orchestrator_v1_Fault__Output>
        FaultList: MessageTypeDefinition<_dcbox_orchestrator_v1_FaultList, _dcbox_orchestrator_v1_FaultList__Output>
        FaultRef: MessageTypeDefinition<_dcbox_orchestrator_v1_FaultRef, _dcbox_orchestrator_v1_FaultRef__Output>
        FaultRequest: MessageTypeDefinition<_dcbox_orchestrator_v1_FaultRequest, _dcbox_orchestrator_v1_FaultRequest__Output>
        HostPower: MessageTypeDefinition<_dcbox_orchestrator_v1_HostPower, _dcbox_orchestrator_v1_HostPower__Output>
        HostStatus: MessageTypeDefinition<_dcbox_orchestrator_v1_HostStatus, _dcbox_orchestrator_v1_HostStatus__Output>
        NetemSpec: MessageTypeDefinition<_dcbox_orchestrator_v1_NetemSpec, _dcbox_orchestrator_v1_NetemSpec__Output>
        Orchestrator: SubtypeConstructor<typeof grpc.Client, _dcbox_orchestrator_v1_OrchestratorClient> & { service: _dcbox_orchestrator_v1_OrchestratorDefinition }
        PartitionGroup: MessageTypeDefinition<_dcbox_orchestrator_v1_PartitionGroup, _dcbox_orchestrator_v1_PartitionGroup__Output>
        PartitionRequest: MessageTypeDefinition<_dcbox_orchestrator_v1_PartitionRequest, _dcbox_orchestrator_v1_PartitionRequest__Output>
        PartitionResponse: MessageTypeDefinition<_dcbox_orchestrator_v1_PartitionResponse, _dcbox_orchestrator_v1_PartitionResponse__Output>
        PowerRequest: MessageTypeDefinition<_dcbox_orchestrator_v1_PowerRequest, _dcbox_orchestrator_v1_PowerRequest__Output>
        ProcessStatus: MessageTypeDefinition<_dcbox_orchestrator_v1_ProcessStatus, _dcbox_orchestrator_v1_ProcessStatus__Output>
        RunStatus: MessageTypeDefinition<_dcbox_orchestrator_v1_RunStatus, _dcbox_orchestrator_v1_RunStatus__Output>
        StreamEvent: MessageTypeDefinition<_dcbox_orchestrator_v1_StreamEvent, _dcbox_orchestrator_v1_StreamEvent__Output>
      }
    }
  }
}

