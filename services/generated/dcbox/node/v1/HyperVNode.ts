// Original file: proto/node.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CreateVmRequest as _dcbox_node_v1_CreateVmRequest, CreateVmRequest__Output as _dcbox_node_v1_CreateVmRequest__Output } from '../../../dcbox/node/v1/CreateVmRequest';
import type { DiskStatus as _dcbox_node_v1_DiskStatus, DiskStatus__Output as _dcbox_node_v1_DiskStatus__Output } from '../../../dcbox/node/v1/DiskStatus';
import type { Empty as _dcbox_common_v1_Empty, Empty__Output as _dcbox_common_v1_Empty__Output } from '../../../dcbox/common/v1/Empty';
import type { IoLoadRequest as _dcbox_node_v1_IoLoadRequest, IoLoadRequest__Output as _dcbox_node_v1_IoLoadRequest__Output } from '../../../dcbox/node/v1/IoLoadRequest';
import type { IoLoadResult as _dcbox_node_v1_IoLoadResult, IoLoadResult__Output as _dcbox_node_v1_IoLoadResult__Output } from '../../../dcbox/node/v1/IoLoadResult';
import type { MigrationAck as _dcbox_node_v1_MigrationAck, MigrationAck__Output as _dcbox_node_v1_MigrationAck__Output } from '../../../dcbox/node/v1/MigrationAck';
import type { MigrationChunk as _dcbox_node_v1_MigrationChunk, MigrationChunk__Output as _dcbox_node_v1_MigrationChunk__Output } from '../../../dcbox/node/v1/MigrationChunk';
import type { NodeInfo as _dcbox_node_v1_NodeInfo, NodeInfo__Output as _dcbox_node_v1_NodeInfo__Output } from '../../../dcbox/node/v1/NodeInfo';
import type { PathsResponse as _dcbox_node_v1_PathsResponse, PathsResponse__Output as _dcbox_node_v1_PathsResponse__Output } from '../../../dcbox/node/v1/PathsResponse';
import type { ShutdownReply as _dcbox_node_v1_ShutdownReply, ShutdownReply__Output as _dcbox_node_v1_ShutdownReply__Output } from '../../../dcbox/node/v1/ShutdownReply';
import type { ShutdownRequest as _dcbox_node_v1_ShutdownRequest, ShutdownRequest__Output as _dcbox_node_v1_ShutdownRequest__Output } from '../../../dcbox/node/v1/ShutdownRequest';
import type { StorageCommandRequest as _dcbox_node_v1_StorageCommandRequest, StorageCommandRequest__Output as _dcbox_node_v1_StorageCommandRequest__Output } from '../../../dcbox/node/v1/StorageCommandRequest';
import type { StorageCommandResponse as _dcbox_node_v1_StorageCommandResponse, StorageCommandResponse__Output as _dcbox_node_v1_StorageCommandResponse__Output } from '../../../dcbox/node/v1/StorageCommandResponse';
import type { Vm as _dcbox_node_v1_Vm, Vm__Output as _dcbox_node_v1_Vm__Output } from '../../../dcbox/node/v1/Vm';
import type { VmList as _dcbox_node_v1_VmList, VmList__Output as _dcbox_node_v1_VmList__Output } from '../../../dcbox/node/v1/VmList';
import type { VmRef as _dcbox_node_v1_VmRef, VmRef__Output as _dcbox_node_v1_VmRef__Output } from '../../../dcbox/node/v1/VmRef';
import type { WatchWritesRequest as _dcbox_node_v1_WatchWritesRequest, WatchWritesRequest__Output as _dcbox_node_v1_WatchWritesRequest__Output } from '../../../dcbox/node/v1/WatchWritesRequest';
import type { WorkloadRequest as _dcbox_node_v1_WorkloadRequest, WorkloadRequest__Output as _dcbox_node_v1_WorkloadRequest__Output } from '../../../dcbox/node/v1/WorkloadRequest';
import type { WriteEvent as _dcbox_node_v1_WriteEvent, WriteEvent__Output as _dcbox_node_v1_WriteEvent__Output } from '../../../dcbox/node/v1/WriteEvent';

export interface HyperVNodeClient extends grpc.Client {
  CreateVm(argument: _dcbox_node_v1_CreateVmRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_Vm__Output>): grpc.ClientUnaryCall;
  CreateVm(argument: _dcbox_node_v1_CreateVmRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_node_v1_Vm__Output>): grpc.ClientUnaryCall;
  CreateVm(argument: _dcbox_node_v1_CreateVmRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_Vm__Output>): grpc.ClientUnaryCall;
  CreateVm(argument: _dcbox_node_v1_CreateVmRequest, callback: grpc.requestCallback<_dcbox_node_v1_Vm__Output>): grpc.ClientUnaryCall;
  createVm(argument: _dcbox_node_v1_CreateVmRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_Vm__Output>): grpc.ClientUnaryCall;
  createVm(argument: _dcbox_node_v1_CreateVmRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_node_v1_Vm__Output>): grpc.ClientUnaryCall;
  createVm(argument: _dcbox_node_v1_CreateVmRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_Vm__Output>): grpc.ClientUnaryCall;
  createVm(argument: _dcbox_node_v1_CreateVmRequest, callback: grpc.requestCallback<_dcbox_node_v1_Vm__Output>): grpc.ClientUnaryCall;
  
  GetDiskStatus(argument: _dcbox_node_v1_VmRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_DiskStatus__Output>): grpc.ClientUnaryCall;
  GetDiskStatus(argument: _dcbox_node_v1_VmRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_node_v1_DiskStatus__Output>): grpc.ClientUnaryCall;
  GetDiskStatus(argument: _dcbox_node_v1_VmRef, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_DiskStatus__Output>): grpc.ClientUnaryCall;
  GetDiskStatus(argument: _dcbox_node_v1_VmRef, callback: grpc.requestCallback<_dcbox_node_v1_DiskStatus__Output>): grpc.ClientUnaryCall;
  getDiskStatus(argument: _dcbox_node_v1_VmRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_DiskStatus__Output>): grpc.ClientUnaryCall;
  getDiskStatus(argument: _dcbox_node_v1_VmRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_node_v1_DiskStatus__Output>): grpc.ClientUnaryCall;
  getDiskStatus(argument: _dcbox_node_v1_VmRef, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_DiskStatus__Output>): grpc.ClientUnaryCall;
  getDiskStatus(argument: _dcbox_node_v1_VmRef, callback: grpc.requestCallback<_dcbox_node_v1_DiskStatus__Output>): grpc.ClientUnaryCall;
  
  GetInfo(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_NodeInfo__Output>): grpc.ClientUnaryCall;
  GetInfo(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_node_v1_NodeInfo__Output>): grpc.ClientUnaryCall;
  GetInfo(argument: _dcbox_common_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_NodeInfo__Output>): grpc.ClientUnaryCall;
  GetInfo(argument: _dcbox_common_v1_Empty, callback: grpc.requestCallback<_dcbox_node_v1_NodeInfo__Output>): grpc.ClientUnaryCall;
  getInfo(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_NodeInfo__Output>): grpc.ClientUnaryCall;
  getInfo(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_node_v1_NodeInfo__Output>): grpc.ClientUnaryCall;
  getInfo(argument: _dcbox_common_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_NodeInfo__Output>): grpc.ClientUnaryCall;
  getInfo(argument: _dcbox_common_v1_Empty, callback: grpc.requestCallback<_dcbox_node_v1_NodeInfo__Output>): grpc.ClientUnaryCall;
  
  ListPaths(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_PathsResponse__Output>): grpc.ClientUnaryCall;
  ListPaths(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_node_v1_PathsResponse__Output>): grpc.ClientUnaryCall;
  ListPaths(argument: _dcbox_common_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_PathsResponse__Output>): grpc.ClientUnaryCall;
  ListPaths(argument: _dcbox_common_v1_Empty, callback: grpc.requestCallback<_dcbox_node_v1_PathsResponse__Output>): grpc.ClientUnaryCall;
  listPaths(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_PathsResponse__Output>): grpc.ClientUnaryCall;
  listPaths(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_node_v1_PathsResponse__Output>): grpc.ClientUnaryCall;
  listPaths(argument: _dcbox_common_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_PathsResponse__Output>): grpc.ClientUnaryCall;
  listPaths(argument: _dcbox_common_v1_Empty, callback: grpc.requestCallback<_dcbox_node_v1_PathsResponse__Output>): grpc.ClientUnaryCall;
  
  ListVms(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_VmList__Output>): grpc.ClientUnaryCall;
  ListVms(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_node_v1_VmList__Output>): grpc.ClientUnaryCall;
  ListVms(argument: _dcbox_common_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_VmList__Output>): grpc.ClientUnaryCall;
  ListVms(argument: _dcbox_common_v1_Empty, callback: grpc.requestCallback<_dcbox_node_v1_VmList__Output>): grpc.ClientUnaryCall;
  listVms(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_VmList__Output>): grpc.ClientUnaryCall;
  listVms(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_node_v1_VmList__Output>): grpc.ClientUnaryCall;
  listVms(argument: _dcbox_common_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_VmList__Output>): grpc.ClientUnaryCall;
  listVms(argument: _dcbox_common_v1_Empty, callback: grpc.requestCallback<_dcbox_node_v1_VmList__Output>): grpc.ClientUnaryCall;
  
  MigrateIn(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_MigrationAck__Output>): grpc.ClientWritableStream<_dcbox_node_v1_MigrationChunk>;
  MigrateIn(metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_node_v1_MigrationAck__Output>): grpc.ClientWritableStream<_dcbox_node_v1_MigrationChunk>;
  MigrateIn(options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_MigrationAck__Output>): grpc.ClientWritableStream<_dcbox_node_v1_MigrationChunk>;
  MigrateIn(callback: grpc.requestCallback<_dcbox_node_v1_MigrationAck__Output>): grpc.ClientWritableStream<_dcbox_node_v1_MigrationChunk>;
  migrateIn(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_MigrationAck__Output>): grpc.ClientWritableStream<_dcbox_node_v1_MigrationChunk>;
  migrateIn(metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_node_v1_MigrationAck__Output>): grpc.ClientWritableStream<_dcbox_node_v1_MigrationChunk>;
  migrateIn(options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_MigrationAck__Output>): grpc.ClientWritableStream<_dcbox_node_v1_MigrationChunk>;
  migrateIn(callback: grpc.requestCallback<_dcbox_node_v1_MigrationAck__Output>): grpc.ClientWritableStream<_dcbox_node_v1_MigrationChunk>;
  
  RunIoLoad(argument: _dcbox_node_v1_IoLoadRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_IoLoadResult__Output>): grpc.ClientUnaryCall;
  RunIoLoad(argument: _dcbox_node_v1_IoLoadRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_node_v1_IoLoadResult__Output>): grpc.ClientUnaryCall;
  RunIoLoad(argument: _dcbox_node_v1_IoLoadRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_IoLoadResult__Output>): grpc.ClientUnaryCall;
  RunIoLoad(argument: _dcbox_node_v1_IoLoadRequest, callback: grpc.requestCallback<_dcbox_node_v1_IoLoadResult__Output>): grpc.ClientUnaryCall;
  runIoLoad(argument: _dcbox_node_v1_IoLoadRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_IoLoadResult__Output>): grpc.ClientUnaryCall;
  runIoLoad(argument: _dcbox_node_v1_IoLoadRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_node_v1_IoLoadResult__Output>): grpc.ClientUnaryCall;
  runIoLoad(argument: _dcbox_node_v1_IoLoadRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_IoLoadResult__Output>): grpc.ClientUnaryCall;
  runIoLoad(argument: _dcbox_node_v1_IoLoadRequest, callback: grpc.requestCallback<_dcbox_node_v1_IoLoadResult__Output>): grpc.ClientUnaryCall;
  
  SaveVm(argument: _dcbox_node_v1_VmRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_Vm__Output>): grpc.ClientUnaryCall;
  SaveVm(argument: _dcbox_node_v1_VmRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_node_v1_Vm__Output>): grpc.ClientUnaryCall;
  SaveVm(argument: _dcbox_node_v1_VmRef, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_Vm__Output>): grpc.ClientUnaryCall;
  SaveVm(argument: _dcbox_node_v1_VmRef, callback: grpc.requestCallback<_dcbox_node_v1_Vm__Output>): grpc.ClientUnaryCall;
  saveVm(argument: _dcbox_node_v1_VmRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_Vm__Output>): grpc.ClientUnaryCall;
  saveVm(argument: _dcbox_node_v1_VmRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_node_v1_Vm__Output>): grpc.ClientUnaryCall;
  saveVm(argument: _dcbox_node_v1_VmRef, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_Vm__Output>): grpc.ClientUnaryCall;
  saveVm(argument: _dcbox_node_v1_VmRef, callback: grpc.requestCallback<_dcbox_node_v1_Vm__Output>): grpc.ClientUnaryCall;
  
  SetWorkload(argument: _dcbox_node_v1_WorkloadRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_DiskStatus__Output>): grpc.ClientUnaryCall;
  SetWorkload(argument: _dcbox_node_v1_WorkloadRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_node_v1_DiskStatus__Output>): grpc.ClientUnaryCall;
  SetWorkload(argument: _dcbox_node_v1_WorkloadRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_DiskStatus__Output>): grpc.ClientUnaryCall;
  SetWorkload(argument: _dcbox_node_v1_WorkloadRequest, callback: grpc.requestCallback<_dcbox_node_v1_DiskStatus__Output>): grpc.ClientUnaryCall;
  setWorkload(argument: _dcbox_node_v1_WorkloadRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_DiskStatus__Output>): grpc.ClientUnaryCall;
  setWorkload(argument: _dcbox_node_v1_WorkloadRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_node_v1_DiskStatus__Output>): grpc.ClientUnaryCall;
  setWorkload(argument: _dcbox_node_v1_WorkloadRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_DiskStatus__Output>): grpc.ClientUnaryCall;
  setWorkload(argument: _dcbox_node_v1_WorkloadRequest, callback: grpc.requestCallback<_dcbox_node_v1_DiskStatus__Output>): grpc.ClientUnaryCall;
  
  Shutdown(argument: _dcbox_node_v1_ShutdownRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_ShutdownReply__Output>): grpc.ClientUnaryCall;
  Shutdown(argument: _dcbox_node_v1_ShutdownRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_node_v1_ShutdownReply__Output>): grpc.ClientUnaryCall;
  Shutdown(argument: _dcbox_node_v1_ShutdownRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_ShutdownReply__Output>): grpc.ClientUnaryCall;
  Shutdown(argument: _dcbox_node_v1_ShutdownRequest, callback: grpc.requestCallback<_dcbox_node_v1_ShutdownReply__Output>): grpc.ClientUnaryCall;
  shutdown(argument: _dcbox_node_v1_ShutdownRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_ShutdownReply__Output>): grpc.ClientUnaryCall;
  shutdown(argument: _dcbox_node_v1_ShutdownRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_node_v1_ShutdownReply__Output>): grpc.ClientUnaryCall;
  shutdown(argument: _dcbox_node_v1_ShutdownRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_ShutdownReply__Output>): grpc.ClientUnaryCall;
  shutdown(argument: _dcbox_node_v1_ShutdownRequest, callback: grpc.requestCallback<_dcbox_node_v1_ShutdownReply__Output>): grpc.ClientUnaryCall;
  
  StartVm(argument: _dcbox_node_v1_VmRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_Vm__Output>): grpc.ClientUnaryCall;
  StartVm(argument: _dcbox_node_v1_VmRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_node_v1_Vm__Output>): grpc.ClientUnaryCall;
  StartVm(argument: _dcbox_node_v1_VmRef, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_Vm__Output>): grpc.ClientUnaryCall;
  StartVm(argument: _dcbox_node_v1_VmRef, callback: grpc.requestCallback<_dcbox_node_v1_Vm__Output>): grpc.ClientUnaryCall;
  startVm(argument: _dcbox_node_v1_VmRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_Vm__Output>): grpc.ClientUnaryCall;
  startVm(argument: _dcbox_node_v1_VmRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_node_v1_Vm__Output>): grpc.ClientUnaryCall;
  startVm(argument: _dcbox_node_v1_VmRef, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_Vm__Output>): grpc.ClientUnaryCall;
  startVm(argument: _dcbox_node_v1_VmRef, callback: grpc.requestCallback<_dcbox_node_v1_Vm__Output>): grpc.ClientUnaryCall;
  
  StopVm(argument: _dcbox_node_v1_VmRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_Vm__Output>): grpc.ClientUnaryCall;
  StopVm(argument: _dcbox_node_v1_VmRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_node_v1_Vm__Output>): grpc.ClientUnaryCall;
  StopVm(argument: _dcbox_node_v1_VmRef, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_Vm__Output>): grpc.ClientUnaryCall;
  StopVm(argument: _dcbox_node_v1_VmRef, callback: grpc.requestCallback<_dcbox_node_v1_Vm__Output>): grpc.ClientUnaryCall;
  stopVm(argument: _dcbox_node_v1_VmRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_Vm__Output>): grpc.ClientUnaryCall;
  stopVm(argument: _dcbox_node_v1_VmRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_node_v1_Vm__Output>): grpc.ClientUnaryCall;
  stopVm(argument: _dcbox_node_v1_VmRef, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_Vm__Output>): grpc.ClientUnaryCall;
  stopVm(argument: _dcbox_node_v1_VmRef, callback: grpc.requestCallback<_dcbox_node_v1_Vm__Output>): grpc.ClientUnaryCall;
  
  StorageCommand(argument: _dcbox_node_v1_StorageCommandRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_StorageCommandResponse__Output>): grpc.ClientUnaryCall;
  StorageCommand(argument: _dcbox_node_v1_StorageCommandRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_node_v1_StorageCommandResponse__Output>): grpc.ClientUnaryCall;
  StorageCommand(argument: _dcbox_node_v1_StorageCommandRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_StorageCommandResponse__Output>): grpc.ClientUnaryCall;
  StorageCommand(argument: _dcbox_node_v1_StorageCommandRequest, callback: grpc.requestCallback<_dcbox_node_v1_StorageCommandResponse__Output>): grpc.ClientUnaryCall;
  storageCommand(argument: _dcbox_node_v1_StorageCommandRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_StorageCommandResponse__Output>): grpc.ClientUnaryCall;
  storageCommand(argument: _dcbox_node_v1_StorageCommandRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_node_v1_StorageCommandResponse__Output>): grpc.ClientUnaryCall;
  storageCommand(argument: _dcbox_node_v1_StorageCommandRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_node_v1_StorageCommandResponse__Output>): grpc.ClientUnaryCall;
  storageCommand(argument: _dcbox_node_v1_StorageCommandRequest, callback: grpc.requestCallback<_dcbox_node_v1_StorageCommandResponse__Output>): grpc.ClientUnaryCall;
  
  WatchWrites(argument: _dcbox_node_v1_WatchWritesRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_dcbox_node_v1_WriteEvent__Output>;
  WatchWrites(argument: _dcbox_node_v1_WatchWritesRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_dcbox_node_v1_WriteEvent__Output>;
  watchWrites(argument: _dcbox_node_v1_WatchWritesRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_dcbox_node_v1_WriteEvent__Output>;
  watchWrites(argument: _dcbox_node_v1_WatchWritesRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_dcbox_node_v1_WriteEvent__Output>;
  
}

export interface HyperVNodeHandlers extends grpc.UntypedServiceImplementation {
  CreateVm: grpc.handleUnaryCall<_dcbox_node_v1_CreateVmRequest__Output, _dcbox_node_v1_Vm>;
  
  GetDiskStatus: grpc.handleUnaryCall<_dcbox_node_v1_VmRef__Output, _dcbox_node_v1_DiskStatus>;
  
  GetInfo: grpc.handleUnaryCall<_dcbox_common_v1_Empty__Output, _dcbox_node_v1_NodeInfo>;
  
  ListPaths: grpc.handleUnaryCall<_dcbox_common_v1_Empty__Output, _dcbox_node_v1_PathsResponse>;
  
  ListVms: grpc.handleUnaryCall<_dcbox_common_v1_Empty__Output, _dcbox_node_v1_VmList>;
  
  MigrateIn: grpc.handleClientStreamingCall<_dcbox_node_v1_MigrationChunk__Output, _dcbox_node_v1_MigrationAck>;
  
  RunIoLoad: grpc.handleUnaryCall<_dcbox_node_v1_IoLoadRequest__Output, _dcbox_node_v1_IoLoadResult>;
  
  SaveVm: grpc.handleUnaryCall<_dcbox_node_v1_VmRef__Output, _dcbox_node_v1_Vm>;
  
  SetWorkload: grpc.handleUnaryCall<_dcbox_node_v1_WorkloadRequest__Output, _dcbox_node_v1_DiskStatus>;
  
  Shutdown: grpc.handleUnaryCall<_dcbox_node_v1_ShutdownRequest__Output, _dcbox_node_v1_ShutdownReply>;
  
  StartVm: grpc.handleUnaryCall<_dcbox_node_v1_VmRef__Output, _dcbox_node_v1_Vm>;
  
  StopVm: grpc.handleUnaryCall<_dcbox_node_v1_VmRef__Output, _dcbox_node_v1_Vm>;
  
  StorageCommand: grpc.handleUnaryCall<_dcbox_node_v1_StorageCommandRequest__Output, _dcbox_node_v1_StorageCommandResponse>;
  
  WatchWrites: grpc.handleServerStreamingCall<_dcbox_node_v1_WatchWritesRequest__Output, _dcbox_node_v1_WriteEvent>;
  
}

export interface HyperVNodeDefinition extends grpc.ServiceDefinition {
  CreateVm: MethodDefinition<_dcbox_node_v1_CreateVmRequest, _dcbox_node_v1_Vm, _dcbox_node_v1_CreateVmRequest__Output, _dcbox_node_v1_Vm__Output>
  GetDiskStatus: MethodDefinition<_dcbox_node_v1_VmRef, _dcbox_node_v1_DiskStatus, _dcbox_node_v1_VmRef__Output, _dcbox_node_v1_DiskStatus__Output>
  GetInfo: MethodDefinition<_dcbox_common_v1_Empty, _dcbox_node_v1_NodeInfo, _dcbox_common_v1_Empty__Output, _dcbox_node_v1_NodeInfo__Output>
  ListPaths: MethodDefinition<_dcbox_common_v1_Empty, _dcbox_node_v1_PathsResponse, _dcbox_common_v1_Empty__Output, _dcbox_node_v1_PathsResponse__Output>
  ListVms: MethodDefinition<_dcbox_common_v1_Empty, _dcbox_node_v1_VmList, _dcbox_common_v1_Empty__Output, _dcbox_node_v1_VmList__Output>
  MigrateIn: MethodDefinition<_dcbox_node_v1_MigrationChunk, _dcbox_node_v1_MigrationAck, _dcbox_node_v1_MigrationChunk__Output, _dcbox_node_v1_MigrationAck__Output>
  RunIoLoad: MethodDefinition<_dcbox_node_v1_IoLoadRequest, _dcbox_node_v1_IoLoadResult, _dcbox_node_v1_IoLoadRequest__Output, _dcbox_node_v1_IoLoadResult__Output>
  SaveVm: MethodDefinition<_dcbox_node_v1_VmRef, _dcbox_node_v1_Vm, _dcbox_node_v1_VmRef__Output, _dcbox_node_v1_Vm__Output>
  SetWorkload: MethodDefinition<_dcbox_node_v1_WorkloadRequest, _dcbox_node_v1_DiskStatus, _dcbox_node_v1_WorkloadRequest__Output, _dcbox_node_v1_DiskStatus__Output>
  Shutdown: MethodDefinition<_dcbox_node_v1_ShutdownRequest, _dcbox_node_v1_ShutdownReply, _dcbox_node_v1_ShutdownRequest__Output, _dcbox_node_v1_ShutdownReply__Output>
  StartVm: MethodDefinition<_dcbox_node_v1_VmRef, _dcbox_node_v1_Vm, _dcbox_node_v1_VmRef__Output, _dcbox_node_v1_Vm__Output>
  StopVm: MethodDefinition<_dcbox_node_v1_VmRef, _dcbox_node_v1_Vm, _dcbox_node_v1_VmRef__Output, _dcbox_node_v1_Vm__Output>
  StorageCommand: MethodDefinition<_dcbox_node_v1_StorageCommandRequest, _dcbox_node_v1_StorageCommandResponse, _dcbox_node_v1_StorageCommandRequest__Output, _dcbox_node_v1_StorageCommandResponse__Output>
  WatchWrites: MethodDefinition<_dcbox_node_v1_WatchWritesRequest, _dcbox_node_v1_WriteEvent, _dcbox_node_v1_WatchWritesRequest__Output, _dcbox_node_v1_WriteEvent__Output>
}
