// Original file: proto/witness.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ArbitrateRequest as _dcbox_witness_v1_ArbitrateRequest, ArbitrateRequest__Output as _dcbox_witness_v1_ArbitrateRequest__Output } from '../../../dcbox/witness/v1/ArbitrateRequest';
import type { ArbitrateResponse as _dcbox_witness_v1_ArbitrateResponse, ArbitrateResponse__Output as _dcbox_witness_v1_ArbitrateResponse__Output } from '../../../dcbox/witness/v1/ArbitrateResponse';
import type { DefendRequest as _dcbox_witness_v1_DefendRequest, DefendRequest__Output as _dcbox_witness_v1_DefendRequest__Output } from '../../../dcbox/witness/v1/DefendRequest';
import type { DefendResponse as _dcbox_witness_v1_DefendResponse, DefendResponse__Output as _dcbox_witness_v1_DefendResponse__Output } from '../../../dcbox/witness/v1/DefendResponse';
import type { Empty as _dcbox_common_v1_Empty, Empty__Output as _dcbox_common_v1_Empty__Output } from '../../../dcbox/common/v1/Empty';
import type { PutConfigRequest as _dcbox_witness_v1_PutConfigRequest, PutConfigRequest__Output as _dcbox_witness_v1_PutConfigRequest__Output } from '../../../dcbox/witness/v1/PutConfigRequest';
import type { ReleaseRequest as _dcbox_witness_v1_ReleaseRequest, ReleaseRequest__Output as _dcbox_witness_v1_ReleaseRequest__Output } from '../../../dcbox/witness/v1/ReleaseRequest';
import type { WitnessState as _dcbox_witness_v1_WitnessState, WitnessState__Output as _dcbox_witness_v1_WitnessState__Output } from '../../../dcbox/witness/v1/WitnessState';

export interface WitnessClient extends grpc.Client {
  Arbitrate(argument: _dcbox_witness_v1_ArbitrateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_witness_v1_ArbitrateResponse__Output>): grpc.ClientUnaryCall;
  Arbitrate(argument: _dcbox_witness_v1_ArbitrateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_witness_v1_ArbitrateResponse__Output>): grpc.ClientUnaryCall;
  Arbitrate(argument: _dcbox_witness_v1_ArbitrateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_witness_v1_ArbitrateResponse__Output>): grpc.ClientUnaryCall;
  Arbitrate(argument: _dcbox_witness_v1_ArbitrateRequest, callback: grpc.requestCallback<_dcbox_witness_v1_ArbitrateResponse__Output>): grpc.ClientUnaryCall;
  arbitrate(argument: _dcbox_witness_v1_ArbitrateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_witness_v1_ArbitrateResponse__Output>): grpc.ClientUnaryCall;
  arbitrate(argument: _dcbox_witness_v1_ArbitrateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_witness_v1_ArbitrateResponse__Output>): grpc.ClientUnaryCall;
  arbitrate(argument: _dcbox_witness_v1_ArbitrateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_witness_v1_ArbitrateResponse__Output>): grpc.ClientUnaryCall;
  arbitrate(argument: _dcbox_witness_v1_ArbitrateRequest, callback: grpc.requestCallback<_dcbox_witness_v1_ArbitrateResponse__Output>): grpc.ClientUnaryCall;
  
  Defend(argument: _dcbox_witness_v1_DefendRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_witness_v1_DefendResponse__Output>): grpc.ClientUnaryCall;
  Defend(argument: _dcbox_witness_v1_DefendRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_witness_v1_DefendResponse__Output>): grpc.ClientUnaryCall;
  Defend(argument: _dcbox_witness_v1_DefendRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_witness_v1_DefendResponse__Output>): grpc.ClientUnaryCall;
  Defend(argument: _dcbox_witness_v1_DefendRequest, callback: grpc.requestCallback<_dcbox_witness_v1_DefendResponse__Output>): grpc.ClientUnaryCall;
  defend(argument: _dcbox_witness_v1_DefendRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_witness_v1_DefendResponse__Output>): grpc.ClientUnaryCall;
  defend(argument: _dcbox_witness_v1_DefendRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_witness_v1_DefendResponse__Output>): grpc.ClientUnaryCall;
  defend(argument: _dcbox_witness_v1_DefendRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_witness_v1_DefendResponse__Output>): grpc.ClientUnaryCall;
  defend(argument: _dcbox_witness_v1_DefendRequest, callback: grpc.requestCallback<_dcbox_witness_v1_DefendResponse__Output>): grpc.ClientUnaryCall;
  
  Get(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_witness_v1_WitnessState__Output>): grpc.ClientUnaryCall;
  Get(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_witness_v1_WitnessState__Output>): grpc.ClientUnaryCall;
  Get(argument: _dcbox_common_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_witness_v1_WitnessState__Output>): grpc.ClientUnaryCall;
  Get(argument: _dcbox_common_v1_Empty, callback: grpc.requestCallback<_dcbox_witness_v1_WitnessState__Output>): grpc.ClientUnaryCall;
  get(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_witness_v1_WitnessState__Output>): grpc.ClientUnaryCall;
  get(argument: _dcbox_common_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_witness_v1_WitnessState__Output>): grpc.ClientUnaryCall;
  get(argument: _dcbox_common_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_witness_v1_WitnessState__Output>): grpc.ClientUnaryCall;
  get(argument: _dcbox_common_v1_Empty, callback: grpc.requestCallback<_dcbox_witness_v1_WitnessState__Output>): grpc.ClientUnaryCall;
  
  PutConfig(argument: _dcbox_witness_v1_PutConfigRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_witness_v1_WitnessState__Output>): grpc.ClientUnaryCall;
  PutConfig(argument: _dcbox_witness_v1_PutConfigRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_witness_v1_WitnessState__Output>): grpc.ClientUnaryCall;
  PutConfig(argument: _dcbox_witness_v1_PutConfigRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_witness_v1_WitnessState__Output>): grpc.ClientUnaryCall;
  PutConfig(argument: _dcbox_witness_v1_PutConfigRequest, callback: grpc.requestCallback<_dcbox_witness_v1_WitnessState__Output>): grpc.ClientUnaryCall;
  putConfig(argument: _dcbox_witness_v1_PutConfigRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_witness_v1_WitnessState__Output>): grpc.ClientUnaryCall;
  putConfig(argument: _dcbox_witness_v1_PutConfigRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_witness_v1_WitnessState__Output>): grpc.ClientUnaryCall;
  putConfig(argument: _dcbox_witness_v1_PutConfigRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_witness_v1_WitnessState__Output>): grpc.ClientUnaryCall;
  putConfig(argument: _dcbox_witness_v1_PutConfigRequest, callback: grpc.requestCallback<_dcbox_witness_v1_WitnessState__Output>): grpc.ClientUnaryCall;
  
  Release(argument: _dcbox_witness_v1_ReleaseRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_witness_v1_WitnessState__Output>): grpc.ClientUnaryCall;
  Release(argument: _dcbox_witness_v1_ReleaseRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_witness_v1_WitnessState__Output>): grpc.ClientUnaryCall;
  Release(argument: _dcbox_witness_v1_ReleaseRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_witness_v1_WitnessState__Output>): grpc.ClientUnaryCall;
  Release(argument: _dcbox_witness_v1_ReleaseRequest, callback: grpc.requestCallback<_dcbox_witness_v1_WitnessState__Output>): grpc.ClientUnaryCall;
  release(argument: _dcbox_witness_v1_ReleaseRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_witness_v1_WitnessState__Output>): grpc.ClientUnaryCall;
  release(argument: _dcbox_witness_v1_ReleaseRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dcbox_witness_v1_WitnessState__Output>): grpc.ClientUnaryCall;
  release(argument: _dcbox_witness_v1_ReleaseRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dcbox_witness_v1_WitnessState__Output>): grpc.ClientUnaryCall;
  release(argument: _dcbox_witness_v1_ReleaseRequest, callback: grpc.requestCallback<_dcbox_witness_v1_WitnessState__Output>): grpc.ClientUnaryCall;
  
}

export interface WitnessHandlers extends grpc.UntypedServiceImplementation {
  Arbitrate: grpc.handleUnaryCall<_dcbox_witness_v1_ArbitrateRequest__Output, _dcbox_witness_v1_ArbitrateResponse>;
  
  Defend: grpc.handleUnaryCall<_dcbox_witness_v1_DefendRequest__Output, _dcbox_witness_v1_DefendResponse>;
  
  Get: grpc.handleUnaryCall<_dcbox_common_v1_Empty__Output, _dcbox_witness_v1_WitnessState>;
  
  PutConfig: grpc.handleUnaryCall<_dcbox_witness_v1_PutConfigRequest__Output, _dcbox_witness_v1_WitnessState>;
  
  Release: grpc.handleUnaryCall<_dcbox_witness_v1_ReleaseRequest__Output, _dcbox_witness_v1_WitnessState>;
  
}

export interface WitnessDefinition extends grpc.ServiceDefinition {
  Arbitrate: MethodDefinition<_dcbox_witness_v1_ArbitrateRequest, _dcbox_witness_v1_ArbitrateResponse, _dcbox_witness_v1_ArbitrateRequest__Output, _dcbox_witness_v1_ArbitrateResponse__Output>
  Defend: MethodDefinition<_dcbox_witness_v1_DefendRequest, _dcbox_witness_v1_DefendResponse, _dcbox_witness_v1_DefendRequest__Output, _dcbox_witness_v1_DefendResponse__Output>
  Get: MethodDefinition<_dcbox_common_v1_Empty, _dcbox_witness_v1_WitnessState, _dcbox_common_v1_Empty__Output, _dcbox_witness_v1_WitnessState__Output>
  PutConfig: MethodDefinition<_dcbox_witness_v1_PutConfigRequest, _dcbox_witness_v1_WitnessState, _dcbox_witness_v1_PutConfigRequest__Output, _dcbox_witness_v1_WitnessState__Output>
  Release: MethodDefinition<_dcbox_witness_v1_ReleaseRequest, _dcbox_witness_v1_WitnessState, _dcbox_witness_v1_ReleaseRequest__Output, _dcbox_witness_v1_WitnessState__Output>
}
