import { setFlagsFromString } from 'node:v8';

/**
 * V8 settings for a long-lived, mostly idle relay process, applied before anything allocates much (this module is
 * the bundle's first import). Both are read by V8 when it acts, so setting them at run time works; flags that size
 * the heap at start-up (--max-semi-space-size) do not, and a launcher cannot pass them to `node bin/mcp-bridge`.
 * Measured in BENCHMARKS.md ("Idle footprint"):
 * - WebAssembly stays on V8's baseline compiler: undici's HTTP parser (llhttp, wasm) otherwise gets recompiled by
 *   the optimising compiler on a background thread in about half the runs, leaving ~10 MiB of that thread's malloc
 *   arena resident for the life of the process, for no measurable gain (response bodies pass through it in spans).
 * - The young generation keeps its initial 1 MiB semi-spaces instead of doubling up to 16 MiB in bursts (start-up
 *   through Teleport, 64 calls in flight): a bridge idles most of its life, and the doubled space is given back only
 *   after several idle seconds, if at all. Small calls and the 8 MiB relay showed no loss in rate or latency.
 */
setFlagsFromString('--liftoff-only');
setFlagsFromString('--semi-space-growth-factor=1');
