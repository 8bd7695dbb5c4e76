import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { EchoRequest as _dcbox_common_v1_EchoRequest, EchoRequest__Output as _dcbox_common_v1_EchoRequest__Output } from './dcbox/common/v1/EchoRequest';
import type { EchoResponse as _dcbox_common_v1_EchoResponse, EchoResponse__Output as _dcbox_common_v1_EchoResponse__Output } from './dcbox/common/v1/EchoResponse';
import type { Empty as _dcbox_common_v1_Empty, Empty__Output as _dcbox_common_v1_Empty__Output } from './dcbox/common/v1/Empty';
import type { HostClient as _dcbox_common_v1_HostClient, HostDefinition as _dcbox_common_v1_HostDefinition } from './dcbox/common/v1/Host';
import type { HostInfo as _dcbox_common_v1_HostInfo, HostInfo__Output as _dcbox_common_v1_HostInfo__Output } from './dcbox/common/v1/HostInfo';
import type { CreateVmRequest as _dcbox_node_v1_CreateVmRequest, CreateVmRequest__Output as _dcbox_node_v1_CreateVmRequest__Output } from './dcbox/node/v1/CreateVmRequest';
import type { DiskStatus as _dcbox_node_v1_DiskStatus, DiskStatus__Output as _dcbox_node_v1_DiskStatus__Output } from './dcbox/node/v1/DiskStatus';
import type { DiskView as _dcbox_node_v1_DiskView, DiskView__Output as _dcbox_node_v1_DiskView__Output } from './dcbox/node/v1/DiskView';
import type { HyperVNodeClient as _dcbox_node_v1_HyperVNodeClient, HyperVNodeDefinition as _dcbox_node_v1_HyperVNodeDefinition } from './dcbox/node/v1/HyperVNode';
import type { IoLoadRequest as _dcbox_node_v1_IoLoadRequest, IoLoadRequest__Output as _dcbox_node_v1_IoLoadRequest__Output } from './dcbox/node/v1/IoLoadRequest';
import type { IoLoadResult as _dcbox_node_v1_IoLoadResult, IoLoadResult__Output as _dcbox_node_v1_IoLoadResult__Output } from './dcbox/node/v1/IoLoadResult';
import type { MigrationAck as _dcbox_node_v1_MigrationAck, MigrationAck__Output as _dcbox_node_v1_MigrationAck__Output } from './dcbox/node/v1/MigrationAck';
import type { MigrationChunk as _dcbox_node_v1_MigrationChunk, MigrationChunk__Output as _dcbox_node_v1_MigrationChunk__Output } from './dcbox/node/v1/MigrationChunk';
import type { MigrationDeviceState as _dcbox_node_v1_MigrationDeviceState, MigrationDeviceState__Output as _dcbox_node_v1_MigrationDeviceState__Output } from './dcbox/node/v1/MigrationDeviceState';
import type { MigrationProgress as _dcbox_node_v1_MigrationProgress, MigrationProgress__Output as _dcbox_node_v1_MigrationProgress__Output } from './dcbox/node/v1/MigrationProgress';
import type { MigrationResume as _dcbox_node_v1_MigrationResume, MigrationResume__Output as _dcbox_node_v1_MigrationResume__Output } from './dcbox/node/v1/MigrationResume';
import type { MigrationSetup as _dcbox_node_v1_MigrationSetup, MigrationSetup__Output as _dcbox_node_v1_MigrationSetup__Output } from './dcbox/node/v1/MigrationSetup';
import type { MigrationVmSpec as _dcbox_node_v1_MigrationVmSpec, MigrationVmSpec__Output as _dcbox_node_v1_MigrationVmSpec__Output } from './dcbox/node/v1/MigrationVmSpec';
import type { NodeInfo as _dcbox_node_v1_NodeInfo, NodeInfo__Output as _dcbox_node_v1_NodeInfo__Output } from './dcbox/node/v1/NodeInfo';
import type { PageBatch as _dcbox_node_v1_PageBatch, PageBatch__Output as _dcbox_node_v1_PageBatch__Output } from './dcbox/node/v1/PageBatch';
import type { PassEnd as _dcbox_node_v1_PassEnd, PassEnd__Output as _dcbox_node_v1_PassEnd__Output } from './dcbox/node/v1/PassEnd';
import type { PathView as _dcbox_node_v1_PathView, PathView__Output as _dcbox_node_v1_PathView__Output } from './dcbox/node/v1/PathView';
import type { PathsResponse as _dcbox_node_v1_PathsResponse, PathsResponse__Output as _dcbox_node_v1_PathsResponse__Output } from './dcbox/node/v1/PathsResponse';
import type { SeqRange as _dcbox_node_v1_SeqRange, SeqRange__Output as _dcbox_node_v1_SeqRange__Output } from './dcbox/node/v1/SeqRange';
import type { ShutdownMove as _dcbox_node_v1_ShutdownMove, ShutdownMove__Output as _dcbox_node_v1_ShutdownMove__Output } from './dcbox/node/v1/ShutdownMove';
import type { ShutdownReply as _dcbox_node_v1_ShutdownReply, ShutdownReply__Output as _dcbox_node_v1_ShutdownReply__Output } from './dcbox/node/v1/ShutdownReply';
import type { ShutdownRequest as _dcbox_node_v1_ShutdownRequest, ShutdownRequest__Output as _dcbox_node_v1_ShutdownRequest__Output } from './dcbox/node/v1/ShutdownRequest';
import type { StorageCommandRequest as _dcbox_node_v1_StorageCommandRequest, StorageCommandRequest__Output as _dcbox_node_v1_StorageCommandRequest__Output } from './dcbox/node/v1/StorageCommandRequest';
import type { StorageCommandResponse as _dcbox_node_v1_StorageCommandResponse, StorageCommandResponse__Output as _dcbox_node_v1_StorageCommandResponse__Output } from './dcbox/node/v1/StorageCommandResponse';
import type { VirtualDisk as _dcbox_node_v1_VirtualDisk, VirtualDisk__Output as _dcbox_node_v1_VirtualDisk__Output } from './dcbox/node/v1/VirtualDisk';
import type { Vm as _dcbox_node_v1_Vm, Vm__Output as _dcbox_node_v1_Vm__Output } from './dcbox/node/v1/Vm';
import type { VmList as _dcbox_node_v1_VmList, VmList__Output as _dcbox_node_v1_VmList__Output } from './dcbox/node/v1/VmList';
import type { VmRef as _dcbox_node_v1_VmRef, VmRef__Output as _dcbox_node_v1_VmRef__Output } from './dcbox/node/v1/VmRef';
import type { WatchWritesRequest as _dcbox_node_v1_WatchWritesRequest, WatchWritesRequest__Output as _dcbox_node_v1_WatchWritesRequest__Output } from './dcbox/node/v1/WatchWritesRequest';
import type { WorkloadRequest as _dcbox_node_v1_WorkloadRequest, WorkloadRequest__Output as _dcbox_node_v1_WorkloadRequest__Output } from './dcbox/node/v1/WorkloadRequest';
import type { WriteEvent as _dcbox_node_v1_WriteEvent, WriteEvent__Output as _dcbox_node_v1_WriteEvent__Output } from './dcbox/node/v1/WriteEvent';

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
    node: {
      v1: {
        CreateVmRequest: MessageTypeDefinition<_dcbox_node_v1_CreateVmRequest, _dcbox_node_v1_CreateVmRequest__Output>
        DiskStatus: MessageTypeDefinition<_dcbox_node_v1_DiskStatus, _dcbox_node_v1_DiskStatus__Output>
        DiskView: MessageTypeDefinition<_dcbox_node_v1_DiskView, _dcbox_node_v1_DiskView__Output>
        HyperVNode: SubtypeConstructor<typeof grpc.Client, _dcbox_node_v1_HyperVNodeClient> & { service: _dcbox_node_v1_HyperVNodeDefinition }
        IoLoadRequest: MessageTypeDefinition<_dcbox_node_v1_IoLoadRequest, _dcbox_node_v1_IoLoadRequest__Output>
        IoLoadResult: MessageTypeDefinition<_dcbox_node_v1_IoLoadResult, _dcbox_node_v1_IoLoadResult__Output>
        MigrationAck: MessageTypeDefinition<_dcbox_node_v1_MigrationAck, _dcbox_node_v1_MigrationAck__Output>
        MigrationChunk: MessageTypeDefinition<_dcbox_node_v1_MigrationChunk, _dcbox_node_v1_MigrationChunk__Output>
        MigrationDeviceState: MessageTypeDefinition<_dcbox_node_v1_MigrationDeviceState, _dcbox_node_v1_MigrationDeviceState__Output>
        MigrationProgress: MessageTypeDefinition<_dcbox_node_v1_MigrationProgress, _dcbox_node_v1_MigrationProgress__Output>
        MigrationResume: MessageTypeDefinition<_dcbox_node_v1_MigrationResume, _dcbox_node_v1_MigrationResume__Output>
        MigrationSetup: MessageTypeDefinition<_dcbox_node_v1_MigrationSetup, _dcbox_node_v1_MigrationSetup__Output>
        MigrationVmSpec: MessageTypeDefinition<_dcbox_node_v1_MigrationVmSpec, _dcbox_node_v1_MigrationVmSpec__Output>
        NodeInfo: MessageTypeDefinition<_dcbox_node_v1_NodeInfo, _dcbox_node_v1_NodeInfo__Output>
        PageBatch: MessageTypeDefinition<_dcbox_node_v1_PageBatch, _dcbox_node_v1_PageBatch__Output>
        PassEnd: MessageTypeDefinition<_dcbox_node_v1_PassEnd, _dcbox_node_v1_PassEnd__Output>
        PathView: MessageTypeDefinition<_dcbox_node_v1_PathView, _dcbox_node_v1_PathView__Output>
        PathsResponse: MessageTypeDefinition<_dcbox_node_v1_PathsResponse, _dcbox_node_v1_PathsResponse__Output>
        SeqRange: MessageTypeDefinition<_dcbox_node_v1_SeqRange, _dcbox_node_v1_SeqRange__Output>
        ShutdownMove: MessageTypeDefinition<_dcbox_node_v1_ShutdownMove, _dcbox_node_v1_ShutdownMove__Output>
        ShutdownReply: MessageTypeDefinition<_dcbox_node_v1_ShutdownReply, _dcbox_node_v1_ShutdownReply__Output>
        ShutdownRequest: MessageTypeDefinition<_dcbox_node_v1_ShutdownRequest, _dcbox_node_v1_ShutdownRequest__Output>
        StorageCommandRequest: MessageTypeDefinition<_dcbox_node_v1_StorageCommandRequest, _dcbox_node_v1_StorageCommandRequest__Output>
        StorageCommandResponse: MessageTypeDefinition<_dcbox_node_v1_StorageCommandResponse, _dcbox_node_v1_StorageCommandResponse__Output>
        VirtualDisk: MessageTypeDefinition<_dcbox_node_v1_VirtualDisk, _dcbox_node_v1_VirtualDisk__Output>
        Vm: MessageTypeDefinition<_dcbox_node_v1_Vm, _dcbox_node_v1_Vm__Output>
        VmList: MessageTypeDefinition<_dcbox_node_v1_VmList, _dcbox_node_v1_VmList__Output>
        VmRef: MessageTypeDefinition<_dcbox_node_v1_VmRef, _dcbox_node_v1_VmRef__Output>
        WatchWritesRequest: MessageTypeDefinition<_dcbox_node_v1_WatchWritesRequest, _dcbox_node_v1_WatchWritesRequest__Output>
        WorkloadRequest: MessageTypeDefinition<_dcbox_node_v1_WorkloadRequest, _dcbox_node_v1_WorkloadRequest__Output>
        WriteEvent: MessageTypeDefinition<_dcbox_node_v1_WriteEvent, _dcbox_node_v1_WriteEvent__Output>
      }
    }
  }
}

