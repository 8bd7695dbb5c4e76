// Original file: proto/storage.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ControllerLogEntry as _dcbox_storage_v1_ControllerLogEntry, ControllerLogEntry__Output as _dcbox_storage_v1_ControllerLogEntry__Output } from '../../../dcbox/storage/v1/ControllerLogEntry';
import type { CreateLunRequest as _dcbox_storage_v1_CreateLunRequest, CreateLunRequest__Output as _dcbox_storage_v1_CreateLunRequest__Output } from '../../../dcbox/storage/v1/CreateLunRequest';
import type { DataChannelInfo as _dcbox_storage_v1_DataChannelInfo, DataChannelInfo__Output as _dcbox_storage_v1_DataChannelInfo__Output } from '../../../dcbox/storage/v1/DataChannelInfo';
import type { Empty as _dcbox_common_v1_Empty, Empty__Output as _dcbox_common_v1_Empty__Output } from '../../../dcbox/common/v1/Empty';
import type { ListLunsRequest as _dcbox_storage_v1_ListLunsRequest, ListLunsRequest__Output as _dcbox_storage_v1_ListLunsRequest__Output } from '../../../dcbox/storage/v1/ListLunsRequest';
import type { ListLunsResponse as _dcbox_storage_v1_ListLunsResponse, ListLunsResponse__Output as _dcbox_storage_v1_ListLunsResponse__Output } from '../../../dcbox/storage/v1/ListLunsResponse';
import type { Lun as _dcbox_storage_v1_Lun, Lun__Output as _dcbox_storage_v1_Lun__Output } from '../../../dcbox/storage/v1/Lun';
import type { LunFaultRequest as _dcbox_storage_v1_LunFaultRequest, LunFaultRequest__Output as _dcbox_storage_v1_LunFaultRequest__Output } from '../../../dcbox/storage/v1/LunFaultRequest';
import type { LunFaultState as _dcbox_storage_v1_LunFaultState, LunFaultState__Output as _dcbox_storage_v1_LunFaultState__Output } from '../../../dcbox/storage/v1/LunFaultState';
import type { LunFaults as _dcbox_storage_v1_LunFaults, LunFaults__Output as _dcbox_storage_v1_LunFaults__Output } from '../../../dcbox/storage/v1/LunFaults';
import type { LunRef as _dcbox_storage_v1_LunRef, LunRef__Output as _dcbox_storage_v1_LunRef__Output } from '../../../dcbox/storage/v1/LunRef';
import type { MapLunRequest as _dcbox_storage_v1_MapLunRequest, MapLunRequest__Output as _dcbox_storage_v1_MapLunRequest__Output } from '../../../dcbox/storage/v1/MapLunRequest';
import type { PrPreemptRequest as _dcbox_storage_v1_PrPreemptRequest, PrPreemptRequest__Output as _dcbox_storage_v1_PrPreemptRequest__Output } from '../../../dcbox/storage/v1/PrPreemptRequest';
import type { PrReadKeysRequest as _dcbox_storage_v1_PrReadKeysRequest, PrReadKeysRequest__Output as _dcbox_storage_v1_PrReadKeysRequest__Output } from '../../../dcbox/storage/v1/PrReadKeysRequest';
import type { PrRegisterRequest as _dcbox_storage_v1_PrRegisterRequest, PrRegisterRequest__Output as _dcbox_storage_v1_PrRegisterRequest__Output } from '../../../dcbox/storage/v1/PrRegisterRequest';
import type { PrReserveRequest as _dcbox_storage_v1_PrReserveRequest, PrReserveRequest__Output as _dcbox_storage_v1_PrReserveRequest__Output } from '../../../dcbox/storage/v1/PrReserveRequest';
import type { PrState as _dcbox_storage_v1_PrState, PrState__Output as _dcbox_storage_v1_PrState__Output } from '../../../dcbox/storage/v1/PrState';
import type { ReadRequest as _dcbox_storage_v1_ReadRequest, ReadRequest__Output as _dcbox_storage_v1_ReadRequest__Output } from '../../../dcbox/storage/v1/ReadRequest';
import type { ReadResponse as _dcbox_storage_v1_ReadResponse, ReadResponse__Output as _dcbox_storage_v1_ReadResponse__Output } from '../../../dcbox/storage/v1/ReadResponse';
import type { WatchLogRequest as _dcbox_storage_v1_WatchLogRequest, WatchLogRequest__Output as _dcbox_storage_v1_WatchLogRequest__Output } from '../../../dcbox/storage/v1/WatchLogRequest';
import type { WriteRequest as _dcbox_storage_v1_WriteRequest, WriteRequest__Output as _dcbox_storage_v1_WriteRequest__Output } from '../../../dcbox/storage/v1/WriteRequest';
import type { WriteResponse as _dcbox_storage_v1_WriteResponse, WriteResponse__Output as _dcbox_storage_v1_WriteResponse__Output } from '../../../dcbox/storage/v1/WriteResponse';

export interface StorageClient extends grpc.Client {
  CreateLun(argument: _dcbox_storage_v1_CreateLunRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_Lun__Output>): grpc.ClientUnaryCall;
  CreateLun(argument: _dcbox_storage_v1_CreateLunRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_storage_v1_Lun__Output>): grpc.ClientUnaryCall;
  CreateLun(argument: _dcbox_storage_v1_CreateLunRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_Lun__Output>): grpc.ClientUnaryCall;
  CreateLun(argument: _dcbox_storage_v1_CreateLunRequest, callback: grpc.requestCallback<_dcbox_storage_v1_Lun__Output>): grpc.ClientUnaryCall;
  createLun(argument: _dcbox_storage_v1_CreateLunRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_Lun__Output>): grpc.ClientUnaryCall;
  createLun(argument: _dcbox_storage_v1_CreateLunRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_storage_v1_Lun__Output>): grpc.ClientUnaryCall;
  createLun(argument: _dcbox_storage_v1_CreateLunRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_Lun__Output>): grpc.ClientUnaryCall;
  createLun(argument: _dcbox_storage_v1_CreateLunRequest, callback: grpc.requestCallback<_dcbox_storage_v1_Lun__Output>): grpc.ClientUnaryCall;
  
  DataChannel(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_DataChannelInfo__Output>): grpc.ClientUnaryCall;
  DataChannel(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_storage_v1_DataChannelInfo__Output>): grpc.ClientUnaryCall;
  DataChannel(argument: _dcbox_common_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_DataChannelInfo__Output>): grpc.ClientUnaryCall;
  DataChannel(argument: _dcbox_common_v1_Empty, callback: grpc.requestCallback<_dcbox_storage_v1_DataChannelInfo__Output>): grpc.ClientUnaryCall;
  dataChannel(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_DataChannelInfo__Output>): grpc.ClientUnaryCall;
  dataChannel(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_storage_v1_DataChannelInfo__Output>): grpc.ClientUnaryCall;
  dataChannel(argument: _dcbox_common_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_DataChannelInfo__Output>): grpc.ClientUnaryCall;
  dataChannel(argument: _dcbox_common_v1_Empty, callback: grpc.requestCallback<_dcbox_storage_v1_DataChannelInfo__Output>): grpc.ClientUnaryCall;
  
  DeleteLun(argument: _dcbox_storage_v1_LunRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_common_v1_Empty__Output>): grpc.ClientUnaryCall;
  DeleteLun(argument: _dcbox_storage_v1_LunRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_common_v1_Empty__Output>): grpc.ClientUnaryCall;
  DeleteLun(argument: _dcbox_storage_v1_LunRef, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_common_v1_Empty__Output>): grpc.ClientUnaryCall;
  DeleteLun(argument: _dcbox_storage_v1_LunRef, callback: grpc.requestCallback<_dcbox_common_v1_Empty__Output>): grpc.ClientUnaryCall;
  deleteLun(argument: _dcbox_storage_v1_LunRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_common_v1_Empty__Output>): grpc.ClientUnaryCall;
  deleteLun(argument: _dcbox_storage_v1_LunRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_common_v1_Empty__Output>): grpc.ClientUnaryCall;
  deleteLun(argument: _dcbox_storage_v1_LunRef, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_common_v1_Empty__Output>): grpc.ClientUnaryCall;
  deleteLun(argument: _dcbox_storage_v1_LunRef, callback: grpc.requestCallback<_dcbox_common_v1_Empty__Output>): grpc.ClientUnaryCall;
  
  InjectFault(argument: _dcbox_storage_v1_LunFaultRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_LunFaultState__Output>): grpc.ClientUnaryCall;
  InjectFault(argument: _dcbox_storage_v1_LunFaultRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_storage_v1_LunFaultState__Output>): grpc.ClientUnaryCall;
  InjectFault(argument: _dcbox_storage_v1_LunFaultRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_LunFaultState__Output>): grpc.ClientUnaryCall;
  InjectFault(argument: _dcbox_storage_v1_LunFaultRequest, callback: grpc.requestCallback<_dcbox_storage_v1_LunFaultState__Output>): grpc.ClientUnaryCall;
  injectFault(argument: _dcbox_storage_v1_LunFaultRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_LunFaultState__Output>): grpc.ClientUnaryCall;
  injectFault(argument: _dcbox_storage_v1_LunFaultRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_storage_v1_LunFaultState__Output>): grpc.ClientUnaryCall;
  injectFault(argument: _dcbox_storage_v1_LunFaultRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_LunFaultState__Output>): grpc.ClientUnaryCall;
  injectFault(argument: _dcbox_storage_v1_LunFaultRequest, callback: grpc.requestCallback<_dcbox_storage_v1_LunFaultState__Output>): grpc.ClientUnaryCall;
  
  ListFaults(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_LunFaults__Output>): grpc.ClientUnaryCall;
  ListFaults(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_storage_v1_LunFaults__Output>): grpc.ClientUnaryCall;
  ListFaults(argument: _dcbox_common_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_LunFaults__Output>): grpc.ClientUnaryCall;
  ListFaults(argument: _dcbox_common_v1_Empty, callback: grpc.requestCallback<_dcbox_storage_v1_LunFaults__Output>): grpc.ClientUnaryCall;
  listFaults(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_LunFaults__Output>): grpc.ClientUnaryCall;
  listFaults(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_storage_v1_LunFaults__Output>): grpc.ClientUnaryCall;
  listFaults(argument: _dcbox_common_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_LunFaults__Output>): grpc.ClientUnaryCall;
  listFaults(argument: _dcbox_common_v1_Empty, callback: grpc.requestCallback<_dcbox_storage_v1_LunFaults__Output>): grpc.ClientUnaryCall;
  
  ListLuns(argument: _dcbox_storage_v1_ListLunsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_ListLunsResponse__Output>): grpc.ClientUnaryCall;
  ListLuns(argument: _dcbox_storage_v1_ListLunsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_storage_v1_ListLunsResponse__Output>): grpc.ClientUnaryCall;
  ListLuns(argument: _dcbox_storage_v1_ListLunsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_ListLunsResponse__Output>): grpc.ClientUnaryCall;
  ListLuns(argument: _dcbox_storage_v1_ListLunsRequest, callback: grpc.requestCallback<_dcbox_storage_v1_ListLunsResponse__Output>): grpc.ClientUnaryCall;
  listLuns(argument: _dcbox_storage_v1_ListLunsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_ListLunsResponse__Output>): grpc.ClientUnaryCall;
  listLuns(argument: _dcbox_storage_v1_ListLunsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_storage_v1_ListLunsResponse__Output>): grpc.ClientUnaryCall;
  listLuns(argument: _dcbox_storage_v1_ListLunsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_ListLunsResponse__Output>): grpc.ClientUnaryCall;
  listLuns(argument: _dcbox_storage_v1_ListLunsRequest, callback: grpc.requestCallback<_dcbox_storage_v1_ListLunsResponse__Output>): grpc.ClientUnaryCall;
  
  MapLun(argument: _dcbox_storage_v1_MapLunRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_Lun__Output>): grpc.ClientUnaryCall;
  MapLun(argument: _dcbox_storage_v1_MapLunRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_storage_v1_Lun__Output>): grpc.ClientUnaryCall;
  MapLun(argument: _dcbox_storage_v1_MapLunRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_Lun__Output>): grpc.ClientUnaryCall;
  MapLun(argument: _dcbox_storage_v1_MapLunRequest, callback: grpc.requestCallback<_dcbox_storage_v1_Lun__Output>): grpc.ClientUnaryCall;
  mapLun(argument: _dcbox_storage_v1_MapLunRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_Lun__Output>): grpc.ClientUnaryCall;
  mapLun(argument: _dcbox_storage_v1_MapLunRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_storage_v1_Lun__Output>): grpc.ClientUnaryCall;
  mapLun(argument: _dcbox_storage_v1_MapLunRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_Lun__Output>): grpc.ClientUnaryCall;
  mapLun(argument: _dcbox_storage_v1_MapLunRequest, callback: grpc.requestCallback<_dcbox_storage_v1_Lun__Output>): grpc.ClientUnaryCall;
  
  PrPreempt(argument: _dcbox_storage_v1_PrPreemptRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_PrState__Output>): grpc.ClientUnaryCall;
  PrPreempt(argument: _dcbox_storage_v1_PrPreemptRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_storage_v1_PrState__Output>): grpc.ClientUnaryCall;
  PrPreempt(argument: _dcbox_storage_v1_PrPreemptRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_PrState__Output>): grpc.ClientUnaryCall;
  PrPreempt(argument: _dcbox_storage_v1_PrPreemptRequest, callback: grpc.requestCallback<_dcbox_storage_v1_PrState__Output>): grpc.ClientUnaryCall;
  prPreempt(argument: _dcbox_storage_v1_PrPreemptRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_PrState__Output>): grpc.ClientUnaryCall;
  prPreempt(argument: _dcbox_storage_v1_PrPreemptRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_storage_v1_PrState__Output>): grpc.ClientUnaryCall;
  prPreempt(argument: _dcbox_storage_v1_PrPreemptRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_PrState__Output>): grpc.ClientUnaryCall;
  prPreempt(argument: _dcbox_storage_v1_PrPreemptRequest, callback: grpc.requestCallback<_dcbox_storage_v1_PrState__Output>): grpc.ClientUnaryCall;
  
  PrReadKeys(argument: _dcbox_storage_v1_PrReadKeysRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_PrState__Output>): grpc.ClientUnaryCall;
  PrReadKeys(argument: _dcbox_storage_v1_PrReadKeysRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_storage_v1_PrState__Output>): grpc.ClientUnaryCall;
  PrReadKeys(argument: _dcbox_storage_v1_PrReadKeysRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_PrState__Output>): grpc.ClientUnaryCall;
  PrReadKeys(argument: _dcbox_storage_v1_PrReadKeysRequest, callback: grpc.requestCallback<_dcbox_storage_v1_PrState__Output>): grpc.ClientUnaryCall;
  prReadKeys(argument: _dcbox_storage_v1_PrReadKeysRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_PrState__Output>): grpc.ClientUnaryCall;
  prReadKeys(argument: _dcbox_storage_v1_PrReadKeysRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_storage_v1_PrState__Output>): grpc.ClientUnaryCall;
  prReadKeys(argument: _dcbox_storage_v1_PrReadKeysRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_PrState__Output>): grpc.ClientUnaryCall;
  prReadKeys(argument: _dcbox_storage_v1_PrReadKeysRequest, callback: grpc.requestCallback<_dcbox_storage_v1_PrState__Output>): grpc.ClientUnaryCall;
  
  PrRegister(argument: _dcbox_storage_v1_PrRegisterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_PrState__Output>): grpc.ClientUnaryCall;
  PrRegister(argument: _dcbox_storage_v1_PrRegisterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_storage_v1_PrState__Output>): grpc.ClientUnaryCall;
  PrRegister(argument: _dcbox_storage_v1_PrRegisterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_PrState__Output>): grpc.ClientUnaryCall;
  PrRegister(argument: _dcbox_storage_v1_PrRegisterRequest, callback: grpc.requestCallback<_dcbox_storage_v1_PrState__Output>): grpc.ClientUnaryCall;
  prRegister(argument: _dcbox_storage_v1_PrRegisterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_PrState__Output>): grpc.ClientUnaryCall;
  prRegister(argument: _dcbox_storage_v1_PrRegisterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_storage_v1_PrState__Output>): grpc.ClientUnaryCall;
  prRegister(argument: _dcbox_storage_v1_PrRegisterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_PrState__Output>): grpc.ClientUnaryCall;
  prRegister(argument: _dcbox_storage_v1_PrRegisterRequest, callback: grpc.requestCallback<_dcbox_storage_v1_PrState__Output>): grpc.ClientUnaryCall;
  
  PrRelease(argument: _dcbox_storage_v1_PrReserveRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_PrState__Output>): grpc.ClientUnaryCall;
  PrRelease(argument: _dcbox_storage_v1_PrReserveRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_storage_v1_PrState__Output>): grpc.ClientUnaryCall;
  PrRelease(argument: _dcbox_storage_v1_PrReserveRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_PrState__Output>): grpc.ClientUnaryCall;
  PrRelease(argument: _dcbox_storage_v1_PrReserveRequest, callback: grpc.requestCallback<_dcbox_storage_v1_PrState__Output>): grpc.ClientUnaryCall;
  prRelease(argument: _dcbox_storage_v1_PrReserveRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_PrState__Output>): grpc.ClientUnaryCall;
  prRelease(argument: _dcbox_storage_v1_PrReserveRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_storage_v1_PrState__Output>): grpc.ClientUnaryCall;
  prRelease(argument: _dcbox_storage_v1_PrReserveRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_PrState__Output>): grpc.ClientUnaryCall;
  prRelease(argument: _dcbox_storage_v1_PrReserveRequest, callback: grpc.requestCallback<_dcbox_storage_v1_PrState__Output>): grpc.ClientUnaryCall;
  
  PrReserve(argument: _dcbox_storage_v1_PrReserveRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_PrState__Output>): grpc.ClientUnaryCall;
  PrReserve(argument: _dcbox_storage_v1_PrReserveRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_storage_v1_PrState__Output>): grpc.ClientUnaryCall;
  PrReserve(argument: _dcbox_storage_v1_PrReserveRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_PrState__Output>): grpc.ClientUnaryCall;
  PrReserve(argument: _dcbox_storage_v1_PrReserveRequest, callback: grpc.requestCallback<_dcbox_storage_v1_PrState__Output>): grpc.ClientUnaryCall;
  prReserve(argument: _dcbox_storage_v1_PrReserveRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_PrState__Output>): grpc.ClientUnaryCall;
  prReserve(argument: _dcbox_storage_v1_PrReserveRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_storage_v1_PrState__Output>): grpc.ClientUnaryCall;
  prReserve(argument: _dcbox_storage_v1_PrReserveRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_PrState__Output>): grpc.ClientUnaryCall;
  prReserve(argument: _dcbox_storage_v1_PrReserveRequest, callback: grpc.requestCallback<_dcbox_storage_v1_PrState__Output>): grpc.ClientUnaryCall;
  
  Read(argument: _dcbox_storage_v1_ReadRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_ReadResponse__Output>): grpc.ClientUnaryCall;
  Read(argument: _dcbox_storage_v1_ReadRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_storage_v1_ReadResponse__Output>): grpc.ClientUnaryCall;
  Read(argument: _dcbox_storage_v1_ReadRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_ReadResponse__Output>): grpc.ClientUnaryCall;
  Read(argument: _dcbox_storage_v1_ReadRequest, callback: grpc.requestCallback<_dcbox_storage_v1_ReadResponse__Output>): grpc.ClientUnaryCall;
  read(argument: _dcbox_storage_v1_ReadRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_ReadResponse__Output>): grpc.ClientUnaryCall;
  read(argument: _dcbox_storage_v1_ReadRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_storage_v1_ReadResponse__Output>): grpc.ClientUnaryCall;
  read(argument: _dcbox_storage_v1_ReadRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_ReadResponse__Output>): grpc.ClientUnaryCall;
  read(argument: _dcbox_storage_v1_ReadRequest, callback: grpc.requestCallback<_dcbox_storage_v1_ReadResponse__Output>): grpc.ClientUnaryCall;
  
  WatchLog(argument: _dcbox_storage_v1_WatchLogRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_dcbox_storage_v1_ControllerLogEntry__Output>;
  WatchLog(argument: _dcbox_storage_v1_WatchLogRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_dcbox_storage_v1_ControllerLogEntry__Output>;
  watchLog(argument: _dcbox_storage_v1_WatchLogRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_dcbox_storage_v1_ControllerLogEntry__Output>;
  watchLog(argument: _dcbox_storage_v1_WatchLogRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_dcbox_storage_v1_ControllerLogEntry__Output>;
  
  Write(argument: _dcbox_storage_v1_WriteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_WriteResponse__Output>): grpc.ClientUnaryCall;
  Write(argument: _dcbox_storage_v1_WriteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_storage_v1_WriteResponse__Output>): grpc.ClientUnaryCall;
  Write(argument: _dcbox_storage_v1_WriteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_WriteResponse__Output>): grpc.ClientUnaryCall;
  Write(argument: _dcbox_storage_v1_WriteRequest, callback: grpc.requestCallback<_dcbox_storage_v1_WriteResponse__Output>): grpc.ClientUnaryCall;
  write(argument: _dcbox_storage_v1_WriteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_WriteResponse__Output>): grpc.ClientUnaryCall;
  write(argument: _dcbox_storage_v1_WriteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_storage_v1_WriteResponse__Output>): grpc.ClientUnaryCall;
  write(argument: _dcbox_storage_v1_WriteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_storage_v1_WriteResponse__Output>): grpc.ClientUnaryCall;
  write(argument: _dcbox_storage_v1_WriteRequest, callback: grpc.requestCallback<_dcbox_storage_v1_WriteResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface StorageHandlers extends grpc.UntypedServiceImplementation {
  CreateLun: grpc.handleUnaryCall<_dcbox_storage_v1_CreateLunRequest__Output, _dcbox_storage_v1_Lun>;
  
  DataChannel: grpc.handleUnaryCall<_dcbox_common_v1_Empty__Output, _dcbox_storage_v1_DataChannelInfo>;
  
  DeleteLun: grpc.handleUnaryCall<_dcbox_storage_v1_LunRef__Output, _dcbox_common_v1_Empty>;
  
  InjectFault: grpc.handleUnaryCall<_dcbox_storage_v1_LunFaultRequest__Output, _dcbox_storage_v1_LunFaultState>;
  
  ListFaults: grpc.handleUnaryCall<_dcbox_common_v1_Empty__Output, _dcbox_storage_v1_LunFaults>;
  
  ListLuns: grpc.handleUnaryCall<_dcbox_storage_v1_ListLunsRequest__Output, _dcbox_storage_v1_ListLunsResponse>;
  
  MapLun: grpc.handleUnaryCall<_dcbox_storage_v1_MapLunRequest__Output, _dcbox_storage_v1_Lun>;
  
  PrPreempt: grpc.handleUnaryCall<_dcbox_storage_v1_PrPreemptRequest__Output, _dcbox_storage_v1_PrState>;
  
  PrReadKeys: grpc.handleUnaryCall<_dcbox_storage_v1_PrReadKeysRequest__Output, _dcbox_storage_v1_PrState>;
  
  PrRegister: grpc.handleUnaryCall<_dcbox_storage_v1_PrRegisterRequest__Output, _dcbox_storage_v1_PrState>;
  
  PrRelease: grpc.handleUnaryCall<_dcbox_storage_v1_PrReserveRequest__Output, _dcbox_storage_v1_PrState>;
  
  PrReserve: grpc.handleUnaryCall<_dcbox_storage_v1_PrReserveRequest__Output, _dcbox_storage_v1_PrState>;
  
  Read: grpc.handleUnaryCall<_dcbox_storage_v1_ReadRequest__Output, _dcbox_storage_v1_ReadResponse>;
  
  WatchLog: grpc.handleServerStreamingCall<_dcbox_storage_v1_WatchLogRequest__Output, _dcbox_storage_v1_ControllerLogEntry>;
  
  Write: grpc.handleUnaryCall<_dcbox_storage_v1_WriteRequest__Output, _dcbox_storage_v1_WriteResponse>;
  
}

export interface StorageDefinition extends grpc.ServiceDefinition {
  CreateLun: MethodDefinition<_dcbox_storage_v1_CreateLunRequest, _dcbox_storage_v1_Lun, _dcbox_storage_v1_CreateLunRequest__Output, _dcbox_storage_v1_Lun__Output>
  DataChannel: MethodDefinition<_dcbox_common_v1_Empty, _dcbox_storage_v1_DataChannelInfo, _dcbox_common_v1_Empty__Output, _dcbox_storage_v1_DataChannelInfo__Output>
  DeleteLun: MethodDefinition<_dcbox_storage_v1_LunRef, _dcbox_common_v1_Empty, _dcbox_storage_v1_LunRef__Output, _dcbox_common_v1_Empty__Output>
  InjectFault: MethodDefinition<_dcbox_storage_v1_LunFaultRequest, _dcbox_storage_v1_LunFaultState, _dcbox_storage_v1_LunFaultRequest__Output, _dcbox_storage_v1_LunFaultState__Output>
  ListFaults: MethodDefinition<_dcbox_common_v1_Empty, _dcbox_storage_v1_LunFaults, _dcbox_common_v1_Empty__Output, _dcbox_storage_v1_LunFaults__Output>
  ListLuns: MethodDefinition<_dcbox_storage_v1_ListLunsRequest, _dcbox_storage_v1_ListLunsResponse, _dcbox_storage_v1_ListLunsRequest__Output, _dcbox_storage_v1_ListLunsResponse__Output>
  MapLun: MethodDefinition<_dcbox_storage_v1_MapLunRequest, _dcbox_storage_v1_Lun, _dcbox_storage_v1_MapLunRequest__Output, _dcbox_storage_v1_Lun__Output>
  PrPreempt: MethodDefinition<_dcbox_storage_v1_PrPreemptRequest, _dcbox_storage_v1_PrState, _dcbox_storage_v1_PrPreemptRequest__Output, _dcbox_storage_v1_PrState__Output>
  PrReadKeys: MethodDefinition<_dcbox_storage_v1_PrReadKeysRequest, _dcbox_storage_v1_PrState, _dcbox_storage_v1_PrReadKeysRequest__Output, _dcbox_storage_v1_PrState__Output>
  PrRegister: MethodDefinition<_dcbox_storage_v1_PrRegisterRequest, _dcbox_storage_v1_PrState, _dcbox_storage_v1_PrRegisterRequest__Output, _dcbox_storage_v1_PrState__Output>
  PrRelease: MethodDefinition<_dcbox_storage_v1_PrReserveRequest, _dcbox_storage_v1_PrState, _dcbox_storage_v1_PrReserveRequest__Output, _dcbox_storage_v1_PrState__Output>
  PrReserve: MethodDefinition<_dcbox_storage_v1_PrReserveRequest, _dcbox_storage_v1_PrState, _dcbox_storage_v1_PrReserveRequest__Output, _dcbox_storage_v1_PrState__Output>
  Read: MethodDefinition<_dcbox_storage_v1_ReadRequest, _dcbox_storage_v1_ReadResponse, _dcbox_storage_v1_ReadRequest__Output, _dcbox_storage_v1_ReadResponse__Output>
  WatchLog: MethodDefinition<_dcbox_storage_v1_WatchLogRequest, _dcbox_storage_v1_ControllerLogEntry, _dcbox_storage_v1_WatchLogRequest__Output, _dcbox_storage_v1_ControllerLogEntry__Output>
  Write: MethodDefinition<_dcbox_storage_v1_WriteRequest, _dcbox_storage_v1_WriteResponse, _dcbox_storage_v1_WriteRequest__Output, _dcbox_storage_v1_WriteResponse__Output>
}
