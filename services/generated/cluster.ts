import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { ClusterClient as _dcbox_cluster_v1_ClusterClient, ClusterDefinition as _dcbox_cluster_v1_ClusterDefinition } from './dcbox/cluster/v1/Cluster';
import type { ClusterEvent as _dcbox_cluster_v1_ClusterEvent, ClusterEvent__Output as _dcbox_cluster_v1_ClusterEvent__Output } from './dcbox/cluster/v1/ClusterEvent';
import type { ClusterState as _dcbox_cluster_v1_ClusterState, ClusterState__Output as _dcbox_cluster_v1_ClusterState__Output } from './dcbox/cluster/v1/ClusterState';
import type { CsvNodeMode as _dcbox_cluster_v1_CsvNodeMode, CsvNodeMode__Output as _dcbox_cluster_v1_CsvNodeMode__Output } from './dcbox/cluster/v1/CsvNodeMode';
import type { CsvView as _dcbox_cluster_v1_CsvView, CsvView__Output as _dcbox_cluster_v1_CsvView__Output } from './dcbox/cluster/v1/CsvView';
import type { EventList as _dcbox_cluster_v1_EventList, EventList__Output as _dcbox_cluster_v1_EventList__Output } from './dcbox/cluster/v1/EventList';
import type { EventsRequest as _dcbox_cluster_v1_EventsRequest, EventsRequest__Output as _dcbox_cluster_v1_EventsRequest__Output } from './dcbox/cluster/v1/EventsRequest';
import type { MakeHaRequest as _dcbox_cluster_v1_MakeHaRequest, MakeHaRequest__Output as _dcbox_cluster_v1_MakeHaRequest__Output } from './dcbox/cluster/v1/MakeHaRequest';
import type { MigrationStats as _dcbox_cluster_v1_MigrationStats, MigrationStats__Output as _dcbox_cluster_v1_MigrationStats__Output } from './dcbox/cluster/v1/MigrationStats';
import type { MoveCsvRequest as _dcbox_cluster_v1_MoveCsvRequest, MoveCsvRequest__Output as _dcbox_cluster_v1_MoveCsvRequest__Output } from './dcbox/cluster/v1/MoveCsvRequest';
import type { MoveRequest as _dcbox_cluster_v1_MoveRequest, MoveRequest__Output as _dcbox_cluster_v1_MoveRequest__Output } from './dcbox/cluster/v1/MoveRequest';
import type { MoveResponse as _dcbox_cluster_v1_MoveResponse, MoveResponse__Output as _dcbox_cluster_v1_MoveResponse__Output } from './dcbox/cluster/v1/MoveResponse';
import type { NodeRef as _dcbox_cluster_v1_NodeRef, NodeRef__Output as _dcbox_cluster_v1_NodeRef__Output } from './dcbox/cluster/v1/NodeRef';
import type { NodeView as _dcbox_cluster_v1_NodeView, NodeView__Output as _dcbox_cluster_v1_NodeView__Output } from './dcbox/cluster/v1/NodeView';
import type { PauseNodeRequest as _dcbox_cluster_v1_PauseNodeRequest, PauseNodeRequest__Output as _dcbox_cluster_v1_PauseNodeRequest__Output } from './dcbox/cluster/v1/PauseNodeRequest';
import type { QuorumView as _dcbox_cluster_v1_QuorumView, QuorumView__Output as _dcbox_cluster_v1_QuorumView__Output } from './dcbox/cluster/v1/QuorumView';
import type { Resource as _dcbox_cluster_v1_Resource, Resource__Output as _dcbox_cluster_v1_Resource__Output } from './dcbox/cluster/v1/Resource';
import type { Role as _dcbox_cluster_v1_Role, Role__Output as _dcbox_cluster_v1_Role__Output } from './dcbox/cluster/v1/Role';
import type { RoleRef as _dcbox_cluster_v1_RoleRef, RoleRef__Output as _dcbox_cluster_v1_RoleRef__Output } from './dcbox/cluster/v1/RoleRef';
import type { StartNodeRequest as _dcbox_cluster_v1_StartNodeRequest, StartNodeRequest__Output as _dcbox_cluster_v1_StartNodeRequest__Output } from './dcbox/cluster/v1/StartNodeRequest';
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
    cluster: {
      v1: {
        Cluster: SubtypeConstructor<typeof grpc.Client, _dcbox_cluster_v1_ClusterClient> & { service: _dcbox_cluster_v1_ClusterDefinition }
        ClusterEvent: MessageTypeDefinition<_dcbox_cluster_v1_ClusterEvent, _dcbox_cluster_v1_ClusterEvent__Output>
        ClusterState: MessageTypeDefinition<_dcbox_cluster_v1_ClusterState, _dcbox_cluster_v1_ClusterState__Output>
        CsvNodeMode: MessageTypeDefinition<_dcbox_cluster_v1_CsvNodeMode, _dcbox_cluster_v1_CsvNodeMode__Output>
        CsvView: MessageTypeDefinition<_dcbox_cluster_v1_CsvView, _dcbox_cluster_v1_CsvView__Output>
        EventList: MessageTypeDefinition<_dcbox_cluster_v1_EventList, _dcbox_cluster_v1_EventList__Output>
        EventsRequest: MessageTypeDefinition<_dcbox_cluster_v1_EventsRequest, _dcbox_cluster_v1_EventsRequest__Output>
        MakeHaRequest: MessageTypeDefinition<_dcbox_cluster_v1_MakeHaRequest, _dcbox_cluster_v1_MakeHaRequest__Output>
        MigrationStats: MessageTypeDefinition<_dcbox_cluster_v1_MigrationStats, _dcbox_cluster_v1_MigrationStats__Output>
        MoveCsvRequest: MessageTypeDefinition<_dcbox_cluster_v1_MoveCsvRequest, _dcbox_cluster_v1_MoveCsvRequest__Output>
        MoveRequest: MessageTypeDefinition<_dcbox_cluster_v1_MoveRequest, _dcbox_cluster_v1_MoveRequest__Output>
        MoveResponse: MessageTypeDefinition<_dcbox_cluster_v1_MoveResponse, _dcbox_cluster_v1_MoveResponse__Output>
        NodeRef: MessageTypeDefinition<_dcbox_cluster_v1_NodeRef, _dcbox_cluster_v1_NodeRef__Output>
        NodeView: MessageTypeDefinition<_dcbox_cluster_v1_NodeView, _dcbox_cluster_v1_NodeView__Output>
        PauseNodeRequest: MessageTypeDefinition<_dcbox_cluster_v1_PauseNodeRequest, _dcbox_cluster_v1_PauseNodeRequest__Output>
        QuorumView: MessageTypeDefinition<_dcbox_cluster_v1_QuorumView, _dcbox_cluster_v1_QuorumView__Output>
        Resource: MessageTypeDefinition<_dcbox_cluster_v1_Resource, _dcbox_cluster_v1_Resource__Output>
        Role: MessageTypeDefinition<_dcbox_cluster_v1_Role, _dcbox_cluster_v1_Role__Output>
        RoleRef: MessageTypeDefinition<_dcbox_cluster_v1_RoleRef, _dcbox_cluster_v1_RoleRef__Output>
        StartNodeRequest: MessageTypeDefinition<_dcbox_cluster_v1_StartNodeRequest, _dcbox_cluster_v1_StartNodeRequest__Output>
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

