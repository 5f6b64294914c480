#!/usr/bin/env node
// `gatehouse` admin CLI. Runs the compiled runtime (runtime/dist, built for the container image) when present,
// otherwise the TypeScript source through tsx (a development dependency at the repository root).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = new URL('../dist/runtime/src/cli/main.js', import.meta.url);
if (existsSync(fileURLToPath(compiled))) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/cli/main.ts', import.meta.url).href);
}
