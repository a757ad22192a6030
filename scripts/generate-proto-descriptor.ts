/**
 * Regenerates teleport-auth.descriptor.ts from teleport-auth.proto:  npx tsx scripts/generate-proto-descriptor.ts
 * The bundle (esbuild, one file) cannot read a .proto beside it at run time, so the parsed descriptor is embedded as
 * a module; test/teleport/proto/descriptor-in-sync.test.ts fails when the two drift apart.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { descriptorFromProtoFile, PROTO_FILE, renderDescriptorModule } from '../src/teleport/proto/descriptor-source';

const target = join(__dirname, '..', 'src', 'teleport', 'proto', 'teleport-auth.descriptor.ts');
writeFileSync(target, renderDescriptorModule(descriptorFromProtoFile(PROTO_FILE)));
process.stdout.write(`wrote ${target}\n`); // stdout-ok: a build script's own output
