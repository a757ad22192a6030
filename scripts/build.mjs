// Bundles the CLI into one file: one module load instead of hundreds makes start-up fast (see BENCHMARKS.md).
import { build } from 'esbuild';


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
});
