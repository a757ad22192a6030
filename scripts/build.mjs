// Bundles the CLI into one file: one module load instead of hundreds makes start-up fast (see BENCHMARKS.md).
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

/**
 * ws tries the optional native add-ons bufferutil and utf-8-validate inside try/catch and falls back to JavaScript.
 * They are not dependencies here, so the bundle answers their require() as "not found" instead of leaving a
 * require() that would find whatever happens to be installed next to it.
 */
const optionalNativeAddons = {
  name: 'optional-native-addons',
  setup(b) {
    b.onResolve({ filter: /^(bufferutil|utf-8-validate)$/ }, (args) => ({ path: args.path, namespace: 'absent' }));
    b.onLoad({ filter: /.*/, namespace: 'absent' }, (args) => ({
      contents: `throw Object.assign(new Error("Cannot find module '${args.path}'"), { code: 'MODULE_NOT_FOUND' });`,
    }));
  },
};

await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/mcp-bridge.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  // No comments or indentation: V8 keeps the bundle's source in memory for the life of the process (lazy
  // compilation), 1.66 MB as written, 1.14 MB without whitespace.
  minifyWhitespace: true,
  plugins: [optionalNativeAddons],
});

/**
 * V8 holds a source with any character outside Latin-1 as UTF-16, twice its size: one arrow in one comment made the
 * resident bundle 3.2 MB. esbuild escapes non-ASCII in code (charset "ascii"); this guards whatever it cannot.
 */
const bundle = readFileSync('dist/mcp-bridge.js');
const wide = bundle.findIndex((byte) => byte > 0x7f);
if (wide !== -1) {
  throw new Error(`dist/mcp-bridge.js has a non-ASCII byte at offset ${wide} (${JSON.stringify(bundle.subarray(Math.max(0, wide - 40), wide + 10).toString('utf8'))}): V8 would hold the whole bundle as UTF-16.`);
}
