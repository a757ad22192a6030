import { join } from 'node:path';
import * as protobuf from 'protobufjs';

/** The .proto shared with the test cluster's auth server (fixtures/cluster). */
export const PROTO_FILE = join(__dirname, 'teleport-auth.proto');

/** Parses the .proto (and its google/protobuf imports) into protobufjs's JSON descriptor. */
export function descriptorFromProtoFile(file: string): protobuf.INamespace {
  const root = new protobuf.Root().loadSync(file, { keepCase: true });
  root.resolveAll();
  return root.toJSON();
}

export function renderDescriptorModule(descriptor: protobuf.INamespace): string {
  return [
    '// Generated from teleport-auth.proto by scripts/generate-proto-descriptor.ts: do not edit by hand.',
    '',
    '/** protobufjs JSON descriptor (Root.toJSON); typed loosely because protobufjs\'s own types omit map fields. */',
    `export const TELEPORT_AUTH_DESCRIPTOR: Record<string, unknown> = ${JSON.stringify(descriptor, null, 2)};`,
    '',
  ].join('\n');
}
