#!/usr/bin/env node
// `gatehouse` admin CLI. In a checkout it runs the TypeScript source through tsx (a development dependency at the
// repository root), so a stale runtime/dist left by a build can never shadow the code being worked on. The container
// image ships only the bundle (runtime/dist/gatehouse.mjs, made by runtime/bundle.ts; no src), and runs that.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = new URL('../src/cli/main.ts', import.meta.url);
if (existsSync(fileURLToPath(source))) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import(new URL('../dist/gatehouse.mjs', import.meta.url).href);
}
