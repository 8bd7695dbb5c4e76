import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { EchoRequest as _dcbox_common_v1_EchoRequest, EchoRequest__Output as _dcbox_common_v1_EchoRequest__Output } from './dcbox/common/v1/EchoRequest';
import type { EchoResponse as _dcbox_common_v1_EchoResponse, EchoResponse__Output as _dcbox_common_v1_EchoResponse__Output } from './dcbox/common/v1/EchoResponse';
import type { Empty as _dcbox_common_v1_Empty, Empty__Output as _dcbox_common_v1_Empty__Output } from './dcbox/common/v1/Empty';
import type { HostClient as _dcbox_common_v1_HostClient, HostDefinition as _dcbox_common_v1_HostDefinition } from './dcbox/common/v1/Host';
import type { HostInfo as _dcbox_common_v1_HostInfo, HostInfo__Output as _dcbox_common_v1_HostInfo__Output } from './dcbox/common/v1/HostInfo';
import type { ControllerLogEntry as _dcbox_storage_v1_ControllerLogEntry, ControllerLogEntry__Output as _dcbox_storage_v1_ControllerLogEntry__Output } from './dcbox/storage/v1/ControllerLogEntry';
import type { CreateLunRequest as _dcbox_storage_v1_CreateLunRequest, CreateLunRequest__Output as _dcbox_storage_v1_CreateLunRequest__Output } from './dcbox/storage/v1/CreateLunRequest';
import type { DataChannelInfo as _dcbox_storage_v1_DataChannelInfo, DataChannelInfo__Output as _dcbox_storage_v1_DataChannelInfo__Output } from './dcbox/storage/v1/DataChannelInfo';
import type { Initiator as _dcbox_storage_v1_Initiator, Initiator__Output as _dcbox_storage_v1_Initiator__Output } from './dcbox/storage/v1/Initiator';
import type { ListLunsRequest as _dcbox_storage_v1_ListLunsRequest, ListLunsRequest__Output as _dcbox_storage_v1_ListLunsRequest__Output } from './dcbox/storage/v1/ListLunsRequest';
import type { ListLunsResponse as _dcbox_storage_v1_ListLunsResponse, ListLunsResponse__Output as _dcbox_storage_v1_ListLunsResponse__Output } from './dcbox/storage/v1/ListLunsResponse';
import type { Lun as _dcbox_storage_v1_Lun, Lun__Output as _dcbox_storage_v1_Lun__Output } from './dcbox/storage/v1/Lun';
import type { LunFaultRequest as _dcbox_storage_v1_LunFaultRequest, LunFaultRequest__Output as _dcbox_storage_v1_LunFaultRequest__Output } from './dcbox/storage/v1/LunFaultRequest';
import type { LunFaultState as _dcbox_storage_v1_LunFaultState, LunFaultState__Output as _dcbox_storage_v1_LunFaultState__Output } from './dcbox/storage/v1/LunFaultState';
import type { LunFaults as _dcbox_storage_v1_LunFaults, LunFaults__Output as _dcbox_storage_v1_LunFaults__Output } from './dcbox/storage/v1/LunFaults';
import type { LunRef as _dcbox_storage_v1_LunRef, LunRef__Output as _dcbox_storage_v1_LunRef__Output } from './dcbox/storage/v1/LunRef';
import type { MapLunRequest as _dcbox_storage_v1_MapLunRequest, MapLunRequest__Output as _dcbox_storage_v1_MapLunRequest__Output } from './dcbox/storage/v1/MapLunRequest';
import type { PrPreemptRequest as _dcbox_storage_v1_PrPreemptRequest, PrPreemptRequest__Output as _dcbox_storage_v1_PrPreemptRequest__Output } from './dcbox/storage/v1/PrPreemptRequest';
import type { PrReadKeysRequest as _dcbox_storage_v1_PrReadKeysRequest, PrReadKeysRequest__Output as _dcbox_storage_v1_PrReadKeysRequest__Output } from './dcbox/storage/v1/PrReadKeysRequest';
import type { PrRegisterRequest as _dcbox_storage_v1_PrRegisterRequest, PrRegisterRequest__Output as _dcbox_storage_v1_PrRegisterRequest__Output } from './dcbox/storage/v1/PrRegisterRequest';
import type { PrReserveRequest as _dcbox_storage_v1_PrReserveRequest, PrReserveRequest__Output as _dcbox_storage_v1_PrReserveRequest__Output } from './dcbox/storage/v1/PrReserveRequest';
import type { PrState as _dcbox_storage_v1_PrState, PrState__Output as _dcbox_storage_v1_PrState__Output } from './dcbox/storage/v1/PrState';
import type { ReadRequest as _dcbox_storage_v1_ReadRequest, ReadRequest__Output as _dcbox_storage_v1_ReadRequest__Output } from './dcbox/storage/v1/ReadRequest';
import type { ReadResponse as _dcbox_storage_v1_ReadResponse, ReadResponse__Output as _dcbox_storage_v1_ReadResponse__Output } from './dcbox/storage/v1/ReadResponse';
import type { Registration as _dcbox_storage_v1_Registration, Registration__Output as _dcbox_storage_v1_Registration__Output } from './dcbox/storage/v1/Registration';
import type { RssmClient as _dcbox_storage_v1_RssmClient, RssmDefinition as _dcbox_storage_v1_RssmDefinition } from './dcbox/storage/v1/Rssm';
import type { RssmStatus as _dcbox_storage_v1_RssmStatus, RssmStatus__Output as _dcbox_storage_v1_RssmStatus__Output } from './dcbox/storage/v1/RssmStatus';
import type { StorageClient as _dcbox_storage_v1_StorageClient, StorageDefinition as _dcbox_storage_v1_StorageDefinition } from './dcbox/storage/v1/Storage';
import type { WatchLogRequest as _dcbox_storage_v1_WatchLogRequest, WatchLogRequest__Output as _dcbox_storage_v1_WatchLogRequest__Output } from './dcbox/storage/v1/WatchLogRequest';
import type { WriteRequest as _dcbox_storage_v1_WriteRequest, WriteRequest__Output as _dcbox_storage_v1_WriteRequest__Output } from './dcbox/storage/v1/WriteRequest';
import type { WriteResponse as _dcbox_storage_v1_WriteResponse, WriteResponse__Output as _dcbox_storage_v1_WriteResponse__Output } from './dcbox/storage/v1/WriteResponse';
import type { ZoningRequest as _dcbox_storage_v1_ZoningRequest, ZoningRequest__Output as _dcbox_storage_v1_ZoningRequest__Output } from './dcbox/storage/v1/ZoningRequest';

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
    storage: {
      v1: {
        ControllerLogEntry: MessageTypeDefinition<_dcbox_storage_v1_ControllerLogEntry, _dcbox_storage_v1_ControllerLogEntry__Output>
        CreateLunRequest: MessageTypeDefinition<_dcbox_storage_v1_CreateLunRequest, _dcbox_storage_v1_CreateLunRequest__Output>
        DataChannelInfo: MessageTypeDefinition<_dcbox_storage_v1_DataChannelInfo, _dcbox_storage_v1_DataChannelInfo__Output>
        Initiator: MessageTypeDefinition<_dcbox_storage_v1_Initiator, _dcbox_storage_v1_Initiator__Output>
        ListLunsRequest: MessageTypeDefinition<_dcbox_storage_v1_ListLunsRequest, _dcbox_storage_v1_ListLunsRequest__Output>
        ListLunsResponse: MessageTypeDefinition<_dcbox_storage_v1_ListLunsResponse, _dcbox_storage_v1_ListLunsResponse__Output>
        Lun: MessageTypeDefinition<_dcbox_storage_v1_Lun, _dcbox_storage_v1_Lun__Output>
        LunFaultRequest: MessageTypeDefinition<_dcbox_storage_v1_LunFaultRequest, _dcbox_storage_v1_LunFaultRequest__Output>
        LunFaultState: MessageTypeDefinition<_dcbox_storage_v1_LunFaultState, _dcbox_storage_v1_LunFaultState__Output>
        LunFaults: MessageTypeDefinition<_dcbox_storage_v1_LunFaults, _dcbox_storage_v1_LunFaults__Output>
        LunRef: MessageTypeDefinition<_dcbox_storage_v1_LunRef, _dcbox_storage_v1_LunRef__Output>
        MapLunRequest: MessageTypeDefinition<_dcbox_storage_v1_MapLunRequest, _dcbox_storage_v1_MapLunRequest__Output>
        PrPreemptRequest: MessageTypeDefinition<_dcbox_storage_v1_PrPreemptRequest, _dcbox_storage_v1_PrPreemptRequest__Output>
        PrReadKeysRequest: MessageTypeDefinition<_dcbox_storage_v1_PrReadKeysRequest, _dcbox_storage_v1_PrReadKeysRequest__Output>
        PrRegisterRequest: MessageTypeDefinition<_dcbox_storage_v1_PrRegisterRequest, _dcbox_storage_v1_PrRegisterRequest__Output>
        PrReserveRequest: MessageTypeDefinition<_dcbox_storage_v1_PrReserveRequest, _dcbox_storage_v1_PrReserveRequest__Output>
        PrState: MessageTypeDefinition<_dcbox_storage_v1_PrState, _dcbox_storage_v1_PrState__Output>
        ReadRequest: MessageTypeDefinition<_dcbox_storage_v1_ReadRequest, _dcbox_storage_v1_ReadRequest__Output>
        ReadResponse: MessageTypeDefinition<_dcbox_storage_v1_ReadResponse, _dcbox_storage_v1_ReadResponse__Output>
        Registration: MessageTypeDefinition<_dcbox_storage_v1_Registration, _dcbox_storage_v1_Registration__Output>
        Rssm: SubtypeConstructor<typeof grpc.Client, _dcbox_storage_v1_RssmClient> & { service: _dcbox_storage_v1_RssmDefinition }
        RssmStatus: MessageTypeDefinition<_dcbox_storage_v1_RssmStatus, _dcbox_storage_v1_RssmStatus__Output>
        Storage: SubtypeConstructor<typeof grpc.Client, _dcbox_storage_v1_StorageClient> & { service: _dcbox_storage_v1_StorageDefinition }
        WatchLogRequest: MessageTypeDefinition<_dcbox_storage_v1_WatchLogRequest, _dcbox_storage_v1_WatchLogRequest__Output>
        WriteRequest: MessageTypeDefinition<_dcbox_storage_v1_WriteRequest, _dcbox_storage_v1_WriteRequest__Output>
        WriteResponse: MessageTypeDefinition<_dcbox_storage_v1_WriteResponse, _dcbox_storage_v1_WriteResponse__Output>
        ZoningRequest: MessageTypeDefinition<_dcbox_storage_v1_ZoningRequest, _dcbox_storage_v1_ZoningRequest__Output>
      }
    }
  }
}

