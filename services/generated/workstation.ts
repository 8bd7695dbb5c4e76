import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { PingReply as _dcbox_workstation_v1_PingReply, PingReply__Output as _dcbox_workstation_v1_PingReply__Output } from './dcbox/workstation/v1/PingReply';
import type { PingRequest as _dcbox_workstation_v1_PingRequest, PingRequest__Output as _dcbox_workstation_v1_PingRequest__Output } from './dcbox/workstation/v1/PingRequest';
import type { WorkstationClient as _dcbox_workstation_v1_WorkstationClient, WorkstationDefinition as _dcbox_workstation_v1_WorkstationDefinition } from './dcbox/workstation/v1/Workstation';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  dcbox: {
    workstation: {
      v1: {
        PingReply: MessageTypeDefinition<_dcbox_workstation_v1_PingReply, _dcbox_workstation_v1_PingReply__Output>
        PingRequest: MessageTypeDefinition<_dcbox_workstation_v1_PingRequest, _dcbox_workstation_v1_PingRequest__Output>
        Workstation: SubtypeConstructor<typeof grpc.Client, _dcbox_workstation_v1_WorkstationClient> & { service: _dcbox_workstation_v1_WorkstationDefinition }
      }
    }
  }
}

