import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { EchoRequest as _dcbox_common_v1_EchoRequest, EchoRequest__Output as _dcbox_common_v1_EchoRequest__Output } from './dcbox/common/v1/EchoRequest';
import type { EchoResponse as _dcbox_common_v1_EchoResponse, EchoResponse__Output as _dcbox_common_v1_EchoResponse__Output } from './dcbox/common/v1/EchoResponse';
import type { Empty as _dcbox_common_v1_Empty, Empty__Output as _dcbox_common_v1_Empty__Output } from './dcbox/common/v1/Empty';
import type { HostClient as _dcbox_common_v1_HostClient, HostDefinition as _dcbox_common_v1_HostDefinition } from './dcbox/common/v1/Host';
import type { HostInfo as _dcbox_common_v1_HostInfo, HostInfo__Output as _dcbox_common_v1_HostInfo__Output } from './dcbox/common/v1/HostInfo';
import type { ArbitrateRequest as _dcbox_witness_v1_ArbitrateRequest, ArbitrateRequest__Output as _dcbox_witness_v1_ArbitrateRequest__Output } from './dcbox/witness/v1/ArbitrateRequest';
import type { ArbitrateResponse as _dcbox_witness_v1_ArbitrateResponse, ArbitrateResponse__Output as _dcbox_witness_v1_ArbitrateResponse__Output } from './dcbox/witness/v1/ArbitrateResponse';
import type { DefendRequest as _dcbox_witness_v1_DefendRequest, DefendRequest__Output as _dcbox_witness_v1_DefendRequest__Output } from './dcbox/witness/v1/DefendRequest';
import type { DefendResponse as _dcbox_witness_v1_DefendResponse, DefendResponse__Output as _dcbox_witness_v1_DefendResponse__Output } from './dcbox/witness/v1/DefendResponse';
import type { PutConfigRequest as _dcbox_witness_v1_PutConfigRequest, PutConfigRequest__Output as _dcbox_witness_v1_PutConfigRequest__Output } from './dcbox/witness/v1/PutConfigRequest';
import type { ReleaseRequest as _dcbox_witness_v1_ReleaseRequest, ReleaseRequest__Output as _dcbox_witness_v1_ReleaseRequest__Output } from './dcbox/witness/v1/ReleaseRequest';
import type { WitnessClient as _dcbox_witness_v1_WitnessClient, WitnessDefinition as _dcbox_witness_v1_WitnessDefinition } from './dcbox/witness/v1/Witness';
import type { WitnessState as _dcbox_witness_v1_WitnessState, WitnessState__Output as _dcbox_witness_v1_WitnessState__Output } from './dcbox/witness/v1/WitnessState';

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
    witness: {
      v1: {
        ArbitrateRequest: MessageTypeDefinition<_dcbox_witness_v1_ArbitrateRequest, _dcbox_witness_v1_ArbitrateRequest__Output>
        ArbitrateResponse: MessageTypeDefinition<_dcbox_witness_v1_ArbitrateResponse, _dcbox_witness_v1_ArbitrateResponse__Output>
        DefendRequest: MessageTypeDefinition<_dcbox_witness_v1_DefendRequest, _dcbox_witness_v1_DefendRequest__Output>
        DefendResponse: MessageTypeDefinition<_dcbox_witness_v1_DefendResponse, _dcbox_witness_v1_DefendResponse__Output>
        PutConfigRequest: MessageTypeDefinition<_dcbox_witness_v1_PutConfigRequest, _dcbox_witness_v1_PutConfigRequest__Output>
        ReleaseRequest: MessageTypeDefinition<_dcbox_witness_v1_ReleaseRequest, _dcbox_witness_v1_ReleaseRequest__Output>
        Witness: SubtypeConstructor<typeof grpc.Client, _dcbox_witness_v1_WitnessClient> & { service: _dcbox_witness_v1_WitnessDefinition }
        WitnessState: MessageTypeDefinition<_dcbox_witness_v1_WitnessState, _dcbox_witness_v1_WitnessState__Output>
      }
    }
  }
}

