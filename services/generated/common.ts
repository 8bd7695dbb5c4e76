import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

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

