// Original file: proto/cluster.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ClusterEvent as _dcbox_cluster_v1_ClusterEvent, ClusterEvent__Output as _dcbox_cluster_v1_ClusterEvent__Output } from '../../../dcbox/cluster/v1/ClusterEvent';
import type { ClusterState as _dcbox_cluster_v1_ClusterState, ClusterState__Output as _dcbox_cluster_v1_ClusterState__Output } from '../../../dcbox/cluster/v1/ClusterState';
import type { CsvView as _dcbox_cluster_v1_CsvView, CsvView__Output as _dcbox_cluster_v1_CsvView__Output } from '../../../dcbox/cluster/v1/CsvView';
import type { Empty as _dcbox_common_v1_Empty, Empty__Output as _dcbox_common_v1_Empty__Output } from '../../../dcbox/common/v1/Empty';
import type { EventList as _dcbox_cluster_v1_EventList, EventList__Output as _dcbox_cluster_v1_EventList__Output } from '../../../dcbox/cluster/v1/EventList';
import type { EventsRequest as _dcbox_cluster_v1_EventsRequest, EventsRequest__Output as _dcbox_cluster_v1_EventsRequest__Output } from '../../../dcbox/cluster/v1/EventsRequest';
import type { MakeHaRequest as _dcbox_cluster_v1_MakeHaRequest, MakeHaRequest__Output as _dcbox_cluster_v1_MakeHaRequest__Output } from '../../../dcbox/cluster/v1/MakeHaRequest';
import type { MoveCsvRequest as _dcbox_cluster_v1_MoveCsvRequest, MoveCsvRequest__Output as _dcbox_cluster_v1_MoveCsvRequest__Output } from '../../../dcbox/cluster/v1/MoveCsvRequest';
import type { MoveRequest as _dcbox_cluster_v1_MoveRequest, MoveRequest__Output as _dcbox_cluster_v1_MoveRequest__Output } from '../../../dcbox/cluster/v1/MoveRequest';
import type { MoveResponse as _dcbox_cluster_v1_MoveResponse, MoveResponse__Output as _dcbox_cluster_v1_MoveResponse__Output } from '../../../dcbox/cluster/v1/MoveResponse';
import type { NodeRef as _dcbox_cluster_v1_NodeRef, NodeRef__Output as _dcbox_cluster_v1_NodeRef__Output } from '../../../dcbox/cluster/v1/NodeRef';
import type { NodeView as _dcbox_cluster_v1_NodeView, NodeView__Output as _dcbox_cluster_v1_NodeView__Output } from '../../../dcbox/cluster/v1/NodeView';
import type { PauseNodeRequest as _dcbox_cluster_v1_PauseNodeRequest, PauseNodeRequest__Output as _dcbox_cluster_v1_PauseNodeRequest__Output } from '../../../dcbox/cluster/v1/PauseNodeRequest';
import type { Role as _dcbox_cluster_v1_Role, Role__Output as _dcbox_cluster_v1_Role__Output } from '../../../dcbox/cluster/v1/Role';
import type { RoleRef as _dcbox_cluster_v1_RoleRef, RoleRef__Output as _dcbox_cluster_v1_RoleRef__Output } from '../../../dcbox/cluster/v1/RoleRef';
import type { StartNodeRequest as _dcbox_cluster_v1_StartNodeRequest, StartNodeRequest__Output as _dcbox_cluster_v1_StartNodeRequest__Output } from '../../../dcbox/cluster/v1/StartNodeRequest';

export interface ClusterClient extends grpc.Client {
  Events(argument: _dcbox_cluster_v1_EventsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_cluster_v1_EventList__Output>): grpc.ClientUnaryCall;
  Events(argument: _dcbox_cluster_v1_EventsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_cluster_v1_EventList__Output>): grpc.ClientUnaryCall;
  Events(argument: _dcbox_cluster_v1_EventsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_cluster_v1_EventList__Output>): grpc.ClientUnaryCall;
  Events(argument: _dcbox_cluster_v1_EventsRequest, callback: grpc.requestCallback<_dcbox_cluster_v1_EventList__Output>): grpc.ClientUnaryCall;
  events(argument: _dcbox_cluster_v1_EventsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_cluster_v1_EventList__Output>): grpc.ClientUnaryCall;
  events(argument: _dcbox_cluster_v1_EventsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_cluster_v1_EventList__Output>): grpc.ClientUnaryCall;
  events(argument: _dcbox_cluster_v1_EventsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_cluster_v1_EventList__Output>): grpc.ClientUnaryCall;
  events(argument: _dcbox_cluster_v1_EventsRequest, callback: grpc.requestCallback<_dcbox_cluster_v1_EventList__Output>): grpc.ClientUnaryCall;
  
  GetState(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_cluster_v1_ClusterState__Output>): grpc.ClientUnaryCall;
  GetState(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_cluster_v1_ClusterState__Output>): grpc.ClientUnaryCall;
  GetState(argument: _dcbox_common_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_cluster_v1_ClusterState__Output>): grpc.ClientUnaryCall;
  GetState(argument: _dcbox_common_v1_Empty, callback: grpc.requestCallback<_dcbox_cluster_v1_ClusterState__Output>): grpc.ClientUnaryCall;
  getState(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_cluster_v1_ClusterState__Output>): grpc.ClientUnaryCall;
  getState(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_cluster_v1_ClusterState__Output>): grpc.ClientUnaryCall;
  getState(argument: _dcbox_common_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_cluster_v1_ClusterState__Output>): grpc.ClientUnaryCall;
  getState(argument: _dcbox_common_v1_Empty, callback: grpc.requestCallback<_dcbox_cluster_v1_ClusterState__Output>): grpc.ClientUnaryCall;
  
  MakeHighlyAvailable(argument: _dcbox_cluster_v1_MakeHaRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_cluster_v1_Role__Output>): grpc.ClientUnaryCall;
  MakeHighlyAvailable(argument: _dcbox_cluster_v1_MakeHaRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_cluster_v1_Role__Output>): grpc.ClientUnaryCall;
  MakeHighlyAvailable(argument: _dcbox_cluster_v1_MakeHaRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_cluster_v1_Role__Output>): grpc.ClientUnaryCall;
  MakeHighlyAvailable(argument: _dcbox_cluster_v1_MakeHaRequest, callback: grpc.requestCallback<_dcbox_cluster_v1_Role__Output>): grpc.ClientUnaryCall;
  makeHighlyAvailable(argument: _dcbox_cluster_v1_MakeHaRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_cluster_v1_Role__Output>): grpc.ClientUnaryCall;
  makeHighlyAvailable(argument: _dcbox_cluster_v1_MakeHaRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_cluster_v1_Role__Output>): grpc.ClientUnaryCall;
  makeHighlyAvailable(argument: _dcbox_cluster_v1_MakeHaRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_cluster_v1_Role__Output>): grpc.ClientUnaryCall;
  makeHighlyAvailable(argument: _dcbox_cluster_v1_MakeHaRequest, callback: grpc.requestCallback<_dcbox_cluster_v1_Role__Output>): grpc.ClientUnaryCall;
  
  Move(argument: _dcbox_cluster_v1_MoveRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_cluster_v1_MoveResponse__Output>): grpc.ClientUnaryCall;
  Move(argument: _dcbox_cluster_v1_MoveRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_cluster_v1_MoveResponse__Output>): grpc.ClientUnaryCall;
  Move(argument: _dcbox_cluster_v1_MoveRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_cluster_v1_MoveResponse__Output>): grpc.ClientUnaryCall;
  Move(argument: _dcbox_cluster_v1_MoveRequest, callback: grpc.requestCallback<_dcbox_cluster_v1_MoveResponse__Output>): grpc.ClientUnaryCall;
  move(argument: _dcbox_cluster_v1_MoveRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_cluster_v1_MoveResponse__Output>): grpc.ClientUnaryCall;
  move(argument: _dcbox_cluster_v1_MoveRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_cluster_v1_MoveResponse__Output>): grpc.ClientUnaryCall;
  move(argument: _dcbox_cluster_v1_MoveRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_cluster_v1_MoveResponse__Output>): grpc.ClientUnaryCall;
  move(argument: _dcbox_cluster_v1_MoveRequest, callback: grpc.requestCallback<_dcbox_cluster_v1_MoveResponse__Output>): grpc.ClientUnaryCall;
  
  MoveCsv(argument: _dcbox_cluster_v1_MoveCsvRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_cluster_v1_CsvView__Output>): grpc.ClientUnaryCall;
  MoveCsv(argument: _dcbox_cluster_v1_MoveCsvRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_cluster_v1_CsvView__Output>): grpc.ClientUnaryCall;
  MoveCsv(argument: _dcbox_cluster_v1_MoveCsvRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_cluster_v1_CsvView__Output>): grpc.ClientUnaryCall;
  MoveCsv(argument: _dcbox_cluster_v1_MoveCsvRequest, callback: grpc.requestCallback<_dcbox_cluster_v1_CsvView__Output>): grpc.ClientUnaryCall;
  moveCsv(argument: _dcbox_cluster_v1_MoveCsvRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_cluster_v1_CsvView__Output>): grpc.ClientUnaryCall;
  moveCsv(argument: _dcbox_cluster_v1_MoveCsvRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_cluster_v1_CsvView__Output>): grpc.ClientUnaryCall;
  moveCsv(argument: _dcbox_cluster_v1_MoveCsvRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_cluster_v1_CsvView__Output>): grpc.ClientUnaryCall;
  moveCsv(argument: _dcbox_cluster_v1_MoveCsvRequest, callback: grpc.requestCallback<_dcbox_cluster_v1_CsvView__Output>): grpc.ClientUnaryCall;
  
  Offline(argument: _dcbox_cluster_v1_RoleRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_cluster_v1_Role__Output>): grpc.ClientUnaryCall;
  Offline(argument: _dcbox_cluster_v1_RoleRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_cluster_v1_Role__Output>): grpc.ClientUnaryCall;
  Offline(argument: _dcbox_cluster_v1_RoleRef, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_cluster_v1_Role__Output>): grpc.ClientUnaryCall;
  Offline(argument: _dcbox_cluster_v1_RoleRef, callback: grpc.requestCallback<_dcbox_cluster_v1_Role__Output>): grpc.ClientUnaryCall;
  offline(argument: _dcbox_cluster_v1_RoleRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_cluster_v1_Role__Output>): grpc.ClientUnaryCall;
  offline(argument: _dcbox_cluster_v1_RoleRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_cluster_v1_Role__Output>): grpc.ClientUnaryCall;
  offline(argument: _dcbox_cluster_v1_RoleRef, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_cluster_v1_Role__Output>): grpc.ClientUnaryCall;
  offline(argument: _dcbox_cluster_v1_RoleRef, callback: grpc.requestCallback<_dcbox_cluster_v1_Role__Output>): grpc.ClientUnaryCall;
  
  Online(argument: _dcbox_cluster_v1_RoleRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_cluster_v1_Role__Output>): grpc.ClientUnaryCall;
  Online(argument: _dcbox_cluster_v1_RoleRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_cluster_v1_Role__Output>): grpc.ClientUnaryCall;
  Online(argument: _dcbox_cluster_v1_RoleRef, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_cluster_v1_Role__Output>): grpc.ClientUnaryCall;
  Online(argument: _dcbox_cluster_v1_RoleRef, callback: grpc.requestCallback<_dcbox_cluster_v1_Role__Output>): grpc.ClientUnaryCall;
  online(argument: _dcbox_cluster_v1_RoleRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_cluster_v1_Role__Output>): grpc.ClientUnaryCall;
  online(argument: _dcbox_cluster_v1_RoleRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_cluster_v1_Role__Output>): grpc.ClientUnaryCall;
  online(argument: _dcbox_cluster_v1_RoleRef, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_cluster_v1_Role__Output>): grpc.ClientUnaryCall;
  online(argument: _dcbox_cluster_v1_RoleRef, callback: grpc.requestCallback<_dcbox_cluster_v1_Role__Output>): grpc.ClientUnaryCall;
  
  PauseNode(argument: _dcbox_cluster_v1_PauseNodeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_cluster_v1_NodeView__Output>): grpc.ClientUnaryCall;
  PauseNode(argument: _dcbox_cluster_v1_PauseNodeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_cluster_v1_NodeView__Output>): grpc.ClientUnaryCall;
  PauseNode(argument: _dcbox_cluster_v1_PauseNodeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_cluster_v1_NodeView__Output>): grpc.ClientUnaryCall;
  PauseNode(argument: _dcbox_cluster_v1_PauseNodeRequest, callback: grpc.requestCallback<_dcbox_cluster_v1_NodeView__Output>): grpc.ClientUnaryCall;
  pauseNode(argument: _dcbox_cluster_v1_PauseNodeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_cluster_v1_NodeView__Output>): grpc.ClientUnaryCall;
  pauseNode(argument: _dcbox_cluster_v1_PauseNodeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_cluster_v1_NodeView__Output>): grpc.ClientUnaryCall;
  pauseNode(argument: _dcbox_cluster_v1_PauseNodeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_cluster_v1_NodeView__Output>): grpc.ClientUnaryCall;
  pauseNode(argument: _dcbox_cluster_v1_PauseNodeRequest, callback: grpc.requestCallback<_dcbox_cluster_v1_NodeView__Output>): grpc.ClientUnaryCall;
  
  ResumeNode(argument: _dcbox_cluster_v1_NodeRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_cluster_v1_NodeView__Output>): grpc.ClientUnaryCall;
  ResumeNode(argument: _dcbox_cluster_v1_NodeRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_cluster_v1_NodeView__Output>): grpc.ClientUnaryCall;
  ResumeNode(argument: _dcbox_cluster_v1_NodeRef, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_cluster_v1_NodeView__Output>): grpc.ClientUnaryCall;
  ResumeNode(argument: _dcbox_cluster_v1_NodeRef, callback: grpc.requestCallback<_dcbox_cluster_v1_NodeView__Output>): grpc.ClientUnaryCall;
  resumeNode(argument: _dcbox_cluster_v1_NodeRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_cluster_v1_NodeView__Output>): grpc.ClientUnaryCall;
  resumeNode(argument: _dcbox_cluster_v1_NodeRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_cluster_v1_NodeView__Output>): grpc.ClientUnaryCall;
  resumeNode(argument: _dcbox_cluster_v1_NodeRef, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_cluster_v1_NodeView__Output>): grpc.ClientUnaryCall;
  resumeNode(argument: _dcbox_cluster_v1_NodeRef, callback: grpc.requestCallback<_dcbox_cluster_v1_NodeView__Output>): grpc.ClientUnaryCall;
  
  StartNode(argument: _dcbox_cluster_v1_StartNodeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_cluster_v1_NodeView__Output>): grpc.ClientUnaryCall;
  StartNode(argument: _dcbox_cluster_v1_StartNodeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_cluster_v1_NodeView__Output>): grpc.ClientUnaryCall;
  StartNode(argument: _dcbox_cluster_v1_StartNodeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_cluster_v1_NodeView__Output>): grpc.ClientUnaryCall;
  StartNode(argument: _dcbox_cluster_v1_StartNodeRequest, callback: grpc.requestCallback<_dcbox_cluster_v1_NodeView__Output>): grpc.ClientUnaryCall;
  startNode(argument: _dcbox_cluster_v1_StartNodeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_cluster_v1_NodeView__Output>): grpc.ClientUnaryCall;
  startNode(argument: _dcbox_cluster_v1_StartNodeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_cluster_v1_NodeView__Output>): grpc.ClientUnaryCall;
  startNode(argument: _dcbox_cluster_v1_StartNodeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_cluster_v1_NodeView__Output>): grpc.ClientUnaryCall;
  startNode(argument: _dcbox_cluster_v1_StartNodeRequest, callback: grpc.requestCallback<_dcbox_cluster_v1_NodeView__Output>): grpc.ClientUnaryCall;
  
  StopNode(argument: _dcbox_cluster_v1_NodeRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_cluster_v1_NodeView__Output>): grpc.ClientUnaryCall;
  StopNode(argument: _dcbox_cluster_v1_NodeRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_cluster_v1_NodeView__Output>): grpc.ClientUnaryCall;
  StopNode(argument: _dcbox_cluster_v1_NodeRef, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_cluster_v1_NodeView__Output>): grpc.ClientUnaryCall;
  StopNode(argument: _dcbox_cluster_v1_NodeRef, callback: grpc.requestCallback<_dcbox_cluster_v1_NodeView__Output>): grpc.ClientUnaryCall;
  stopNode(argument: _dcbox_cluster_v1_NodeRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_cluster_v1_NodeView__Output>): grpc.ClientUnaryCall;
  stopNode(argument: _dcbox_cluster_v1_NodeRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_cluster_v1_NodeView__Output>): grpc.ClientUnaryCall;
  stopNode(argument: _dcbox_cluster_v1_NodeRef, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_cluster_v1_NodeView__Output>): grpc.ClientUnaryCall;
  stopNode(argument: _dcbox_cluster_v1_NodeRef, callback: grpc.requestCallback<_dcbox_cluster_v1_NodeView__Output>): grpc.ClientUnaryCall;
  
  WatchEvents(argument: _dcbox_cluster_v1_EventsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_dcbox_cluster_v1_ClusterEvent__Output>;
  WatchEvents(argument: _dcbox_cluster_v1_EventsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_dcbox_cluster_v1_ClusterEvent__Output>;
  watchEvents(argument: _dcbox_cluster_v1_EventsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_dcbox_cluster_v1_ClusterEvent__Output>;
  watchEvents(argument: _dcbox_cluster_v1_EventsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_dcbox_cluster_v1_ClusterEvent__Output>;
  
}

export interface ClusterHandlers extends grpc.UntypedServiceImplementation {
  Events: grpc.handleUnaryCall<_dcbox_cluster_v1_EventsRequest__Output, _dcbox_cluster_v1_EventList>;
  
  GetState: grpc.handleUnaryCall<_dcbox_common_v1_Empty__Output, _dcbox_cluster_v1_ClusterState>;
  
  MakeHighlyAvailable: grpc.handleUnaryCall<_dcbox_cluster_v1_MakeHaRequest__Output, _dcbox_cluster_v1_Role>;
  
  Move: grpc.handleUnaryCall<_dcbox_cluster_v1_MoveRequest__Output, _dcbox_cluster_v1_MoveResponse>;
  
  MoveCsv: grpc.handleUnaryCall<_dcbox_cluster_v1_MoveCsvRequest__Output, _dcbox_cluster_v1_CsvView>;
  
  Offline: grpc.handleUnaryCall<_dcbox_cluster_v1_RoleRef__Output, _dcbox_cluster_v1_Role>;
  
  Online: grpc.handleUnaryCall<_dcbox_cluster_v1_RoleRef__Output, _dcbox_cluster_v1_Role>;
  
  PauseNode: grpc.handleUnaryCall<_dcbox_cluster_v1_PauseNodeRequest__Output, _dcbox_cluster_v1_NodeView>;
  
  ResumeNode: grpc.handleUnaryCall<_dcbox_cluster_v1_NodeRef__Output, _dcbox_cluster_v1_NodeView>;
  
  StartNode: grpc.handleUnaryCall<_dcbox_cluster_v1_StartNodeRequest__Output, _dcbox_cluster_v1_NodeView>;
  
  StopNode: grpc.handleUnaryCall<_dcbox_cluster_v1_NodeRef__Output, _dcbox_cluster_v1_NodeView>;
  
  WatchEvents: grpc.handleServerStreamingCall<_dcbox_cluster_v1_EventsRequest__Output, _dcbox_cluster_v1_ClusterEvent>;
  
}

export interface ClusterDefinition extends grpc.ServiceDefinition {
  Events: MethodDefinition<_dcbox_cluster_v1_EventsRequest, _dcbox_cluster_v1_EventList, _dcbox_cluster_v1_EventsRequest__Output, _dcbox_cluster_v1_EventList__Output>
  GetState: MethodDefinition<_dcbox_common_v1_Empty, _dcbox_cluster_v1_ClusterState, _dcbox_common_v1_Empty__Output, _dcbox_cluster_v1_ClusterState__Output>
  MakeHighlyAvailable: MethodDefinition<_dcbox_cluster_v1_MakeHaRequest, _dcbox_cluster_v1_Role, _dcbox_cluster_v1_MakeHaRequest__Output, _dcbox_cluster_v1_Role__Output>
  Move: MethodDefinition<_dcbox_cluster_v1_MoveRequest, _dcbox_cluster_v1_MoveResponse, _dcbox_cluster_v1_MoveRequest__Output, _dcbox_cluster_v1_MoveResponse__Output>
  MoveCsv: MethodDefinition<_dcbox_cluster_v1_MoveCsvRequest, _dcbox_cluster_v1_CsvView, _dcbox_cluster_v1_MoveCsvRequest__Output, _dcbox_cluster_v1_CsvView__Output>
  Offline: MethodDefinition<_dcbox_cluster_v1_RoleRef, _dcbox_cluster_v1_Role, _dcbox_cluster_v1_RoleRef__Output, _dcbox_cluster_v1_Role__Output>
  Online: MethodDefinition<_dcbox_cluster_v1_RoleRef, _dcbox_cluster_v1_Role, _dcbox_cluster_v1_RoleRef__Output, _dcbox_cluster_v1_Role__Output>
  PauseNode: MethodDefinition<_dcbox_cluster_v1_PauseNodeRequest, _dcbox_cluster_v1_NodeView, _dcbox_cluster_v1_PauseNodeRequest__Output, _dcbox_cluster_v1_NodeView__Output>
  ResumeNode: MethodDefinition<_dcbox_cluster_v1_NodeRef, _dcbox_cluster_v1_NodeView, _dcbox_cluster_v1_NodeRef__Output, _dcbox_cluster_v1_NodeView__Output>
  StartNode: MethodDefinition<_dcbox_cluster_v1_StartNodeRequest, _dcbox_cluster_v1_NodeView, _dcbox_cluster_v1_StartNodeRequest__Output, _dcbox_cluster_v1_NodeView__Output>
  StopNode: MethodDefinition<_dcbox_cluster_v1_NodeRef, _dcbox_cluster_v1_NodeView, _dcbox_cluster_v1_NodeRef__Output, _dcbox_cluster_v1_NodeView__Output>
  WatchEvents: MethodDefinition<_dcbox_cluster_v1_EventsRequest, _dcbox_cluster_v1_ClusterEvent, _dcbox_cluster_v1_EventsRequest__Output, _dcbox_cluster_v1_ClusterEvent__Output>
}
