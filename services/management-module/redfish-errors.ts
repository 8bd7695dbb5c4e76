/**
 * Redfish error responses: the Base message registry entries the MM answers with, each in the
 * error body DMTF clients parse ({"error":{"code","message","@Message.ExtendedInfo":[…]}}).
 * Pure: no I/O.
 */

/** A response: no body for 204. */
export interface RedfishResponse {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

/** The Base message registry version our messages cite. */
const BASE = 'Base.1.8';

/** One Redfish message for @Message.ExtendedInfo. */
interface Message {
  MessageId: string;
  Message: string;
  MessageArgs: string[];
  Severity: 'OK' | 'Warning' | 'Critical';
  Resolution: string;
  RelatedProperties?: string[];
}

/** A Redfish error response: {"error":{"code","message","@Message.ExtendedInfo":[…]}} (docs/domain.md §Redfish). */
export function redfishError(
  status: number,
  m: Message,
  headers: Record<string, string> = {},
): RedfishResponse {
  return {
    status,
    headers,
    body: {
      error: {
        code: `${BASE}.GeneralError`,
        message: 'A general error has occurred. See ExtendedInfo for more information.',
        '@Message.ExtendedInfo': [
          { '@odata.type': '#Message.v1_1_1.Message', ...m, MessageSeverity: m.Severity },
        ],
      },
    },
  };
}

/** Every error the Redfish service answers with, by what went wrong. */
export const errors = {
  noValidSession: () =>
    redfishError(
      401,
      {
        MessageId: `${BASE}.NoValidSession`,
        Message: 'There is no valid session established with the implementation.',
        MessageArgs: [],
        Severity: 'Critical',
        Resolution:
          'Establish a session (POST /redfish/v1/SessionService/Sessions) or send HTTP Basic credentials.',
      },
      { 'WWW-Authenticate': 'Basic realm="Redfish"' },
    ),
  notFound: (uri: string) =>
    redfishError(404, {
      MessageId: `${BASE}.ResourceMissingAtURI`,
      Message: `The resource at the URI ${uri} was not found.`,
      MessageArgs: [uri],
      Severity: 'Critical',
      Resolution: 'Place a valid resource at the URI or correct the URI and resubmit the request.',
    }),
  notAllowed: (method: string, uri: string, allow: string[]) =>
    redfishError(
      405,
      {
        MessageId: `${BASE}.OperationNotAllowed`,
        Message: `The HTTP method ${method} is not allowed on ${uri}.`,
        MessageArgs: [method, uri],
        Severity: 'Critical',
        Resolution: `Use one of: ${allow.join(', ')}.`,
      },
      { Allow: allow.join(', ') },
    ),
  malformedJson: () =>
    redfishError(400, {
      MessageId: `${BASE}.MalformedJSON`,
      Message:
        'The request body submitted was malformed JSON and could not be parsed by the receiving service.',
      MessageArgs: [],
      Severity: 'Critical',
      Resolution: 'Ensure that the request body is valid JSON and resubmit the request.',
    }),
  propertyMissing: (property: string) =>
    redfishError(400, {
      MessageId: `${BASE}.PropertyMissing`,
      Message: `The property ${property} is a required property and must be included in the request.`,
      MessageArgs: [property],
      Severity: 'Warning',
      Resolution:
        'Ensure that the property is in the request body and has a valid value and resubmit the request.',
      RelatedProperties: [`/${property}`],
    }),
  actionParameterMissing: (action: string, parameter: string) =>
    redfishError(400, {
      MessageId: `${BASE}.ActionParameterMissing`,
      Message: `The action ${action} requires the parameter ${parameter} to be present in the request body.`,
      MessageArgs: [action, parameter],
      Severity: 'Critical',
      Resolution:
        'Supply the action with the required parameter in the request body when the request is resubmitted.',
      RelatedProperties: [`/${parameter}`],
    }),
  valueNotInList: (value: string, property: string, allowed: readonly string[]) =>
    redfishError(400, {
      MessageId: `${BASE}.PropertyValueNotInList`,
      Message: `The value ${value} for the property ${property} is not in the list of acceptable values.`,
      MessageArgs: [value, property],
      Severity: 'Warning',
      Resolution: `Choose a value from the enumeration list: ${allowed.join(', ')}.`,
      RelatedProperties: [`/${property}`],
    }),
  sessionLimit: () =>
    redfishError(503, {
      MessageId: `${BASE}.SessionLimitExceeded`,
      Message:
        'The session establishment failed due to the number of simultaneous sessions exceeding the limit of the implementation.',
      MessageArgs: [],
      Severity: 'Critical',
      Resolution:
        'Reduce the number of other sessions before trying to establish the session or increase the limit of simultaneous sessions (if supported).',
    }),
  failed: (status: number, id: string, message: string) =>
    redfishError(status, {
      MessageId: `${BASE}.${id}`,
      Message: message,
      MessageArgs: [],
      Severity: 'Critical',
      Resolution: 'Check the chassis with GET /redfish/v1/Systems and retry the request.',
    }),
};
