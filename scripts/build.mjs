// Bundles the CLI into one file: one module load instead of hundreds makes start-up fast (see BENCHMARKS.md).
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
  plugins: [optionalNativeAddons],
});
