// The light build: the descriptor is JSON already, so the .proto parser need not be loaded.
import * as protobuf from 'protobufjs/light';
import { TELEPORT_AUTH_DESCRIPTOR } from './teleport-auth.descriptor';

/**
 * Typed views of the Auth Service messages in teleport-auth.proto (field names as in Teleport). Requests list only
 * what mcp-bridge sets; responses are decoded with defaults, so every listed field is present.
 */

export interface Timestamp {
  seconds: number;
  nanos: number;
}

export interface SortBy {
  IsDesc: boolean;
  Field: string;
}

export interface ListResourcesRequest {
  ResourceType: string;
  Namespace: string;
  Limit: number;
  StartKey?: string;
  PredicateExpression?: string;
  SortBy?: SortBy;
}

export interface Metadata {
  Name: string;
  Namespace: string;
  Description: string;
  Labels: Record<string, string>;
}

export interface AppSpecV3 {
  URI: string;
  PublicAddr: string;
  InsecureSkipVerify: boolean;
  Rewrite?: { Redirect: string[]; Headers: { Name: string; Value: string }[]; JWTClaims: string } | null;
  MCP?: { command: string; args: string[]; run_as_host_user: string } | null;
}

export interface AppV3 {
  Kind: string;
  SubKind: string;
  Version: string;
  Metadata?: Metadata | null;
  Spec?: AppSpecV3 | null;
}

export interface AppServerV3 {
  Kind: string;
  SubKind: string;
  Version: string;
  Metadata?: Metadata | null;
  Spec?: { Version: string; Hostname: string; HostID: string; App?: AppV3 | null; ProxyIDs: string[] } | null;
}

export interface ListResourcesResponse {
  Resources: { AppServer?: AppServerV3 | null }[];
  NextKey: string;
  TotalCount: number;
}

export interface RouteToApp {
  Name: string;
  PublicAddr: string;
  ClusterName: string;
  URI?: string;
  TargetPort?: number;
}

export interface IsMFARequiredRequest {
  App: RouteToApp;
}

export enum MFARequired {
  UNSPECIFIED = 0,
  YES = 1,
  NO = 2,
}

export interface IsMFARequiredResponse {
  Required: boolean;
  MFARequired: MFARequired;
}

/** UserCertsRequest.CertUsage */
export enum CertUsage {
  All = 0,
  App = 4,
}

/** UserCertsRequest.Requester */
export enum Requester {
  UNSPECIFIED = 0,
  TSH_APP_LOCAL_PROXY = 4,
}

export interface UserCertsRequest {
  Username: string;
  Expires: Timestamp;
  RouteToCluster: string;
  Usage: CertUsage;
  RouteToApp: RouteToApp;
  RequesterName: Requester;
  /** PEM of the public key (SPKI), as bytes. */
  TLSPublicKey: Uint8Array;
}

export interface Certs {
  SSH: Uint8Array;
  TLS: Uint8Array;
  TLSCACerts: Uint8Array[];
  SSHCACerts: Uint8Array[];
}

const root = protobuf.Root.fromJSON(TELEPORT_AUTH_DESCRIPTOR as protobuf.INamespace);

/** Encoder and decoder for one message type. */
export interface MessageCodec<T> {
  encode(value: T): Uint8Array;
  decode(bytes: Uint8Array): T;
}

function codec<T>(typeName: string): MessageCodec<T> {
  const type = root.lookupType(`proto.${typeName}`);
  return {
    encode: (value) => {
      const problem = type.verify(value as Record<string, unknown>);
      if (problem) throw new Error(`invalid ${typeName}: ${problem}`);
      return type.encode(type.fromObject(value as Record<string, unknown>)).finish();
    },
    decode: (bytes) =>
      type.toObject(type.decode(bytes), { defaults: true, longs: Number, enums: Number, arrays: true, objects: true, oneofs: false }) as T,
  };
}

/** A unary method of proto.AuthService with its request and response codecs. */
export interface UnaryMethod<Req, Res> {
  path: string;
  request: MessageCodec<Req>;
  response: MessageCodec<Res>;
}

function method<Req, Res>(name: string, requestType: string, responseType: string): UnaryMethod<Req, Res> {
  return { path: `/proto.AuthService/${name}`, request: codec<Req>(requestType), response: codec<Res>(responseType) };
}

export const AUTH_METHODS = {
  ListResources: method<ListResourcesRequest, ListResourcesResponse>('ListResources', 'ListResourcesRequest', 'ListResourcesResponse'),
  IsMFARequired: method<IsMFARequiredRequest, IsMFARequiredResponse>('IsMFARequired', 'IsMFARequiredRequest', 'IsMFARequiredResponse'),
  GenerateUserCerts: method<UserCertsRequest, Certs>('GenerateUserCerts', 'UserCertsRequest', 'Certs'),
};
