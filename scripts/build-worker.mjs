// Bundles the worker entry for `npm start`: our code in one ESM file, packages
// left external (resolved from node_modules at run time). The `@/` imports
// resolve through tsconfig.json's `paths`, which esbuild reads.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/worker-main.ts'],
  outfile: 'dist/worker.mjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  sourcemap: true,
  tsconfig: 'tsconfig.json',
  logLevel: 'info',
});
