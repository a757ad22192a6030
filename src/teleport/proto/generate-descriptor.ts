/**
 * Regenerates teleport-auth.descriptor.ts from teleport-auth.proto:  npx tsx src/teleport/proto/generate-descriptor.ts
 * The bundle (esbuild, one file) cannot read a .proto beside it at run time, so the parsed descriptor is embedded as
 * a module; test/teleport/proto/descriptor-in-sync.test.ts fails when the two drift apart.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { descriptorFromProtoFile, PROTO_FILE, renderDescriptorModule } from './descriptor-source';

const target = join(__dirname, 'teleport-auth.descriptor.ts');
writeFileSync(target, renderDescriptorModule(descriptorFromProtoFile(PROTO_FILE)));
process.stdout.write(`wrote ${target}\n`);
