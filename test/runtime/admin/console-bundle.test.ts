import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleRuntime } from '../../../runtime/bundle.js';
import { buildConsoleScript, consoleScript } from '../../../runtime/src/admin/console-bundle.js';
import { startTestApp, type TestApp } from '../../support/app.js';

describe('the console script', () => {
  let app: TestApp | undefined;
  const outDir = mkdtempSync(join(tmpdir(), 'gatehouse-console-bundle-'));
  afterAll(async () => {
    await app?.close();
    rmSync(outDir, { recursive: true, force: true });
  });

  it('is the TypeScript console bundled by esbuild: one strict classic script, no HTML sinks, no module syntax', () => {
    const script = buildConsoleScript();
    expect(() => new Script(script)).not.toThrow();
    expect(script.startsWith('"use strict";\n(() => {')).toBe(true);
    expect(script).toContain('// runtime/src/admin/console/main.ts');
    expect(script).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|^import |^export /m);
  });

  it('is what the runtime serves at /admin/assets/admin.js when it runs from source', async () => {
    app = await startTestApp({ dialect: 'sqlite' });
    const response = await fetch(`${app.baseUrl}/admin/assets/admin.js`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(consoleScript());
    expect(consoleScript()).toBe(buildConsoleScript());
  });

  it('is carried inside the image bundle as a constant, so the image serves the same bytes without esbuild', async () => {
    await bundleRuntime(outDir);
    const bundle = readFileSync(join(outDir, 'gatehouse.mjs'), 'utf8');
    // esbuild replaced the constant by the script's text and folded the check: the build-from-source branch is dead.
    const literal =
      /function consoleScript\(\) \{\n\s+if \(true\) return ('(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*");\n/.exec(
        bundle,
      )?.[1];
    expect(literal).toBeDefined();
    expect(new Script(`(${literal})`).runInNewContext()).toBe(buildConsoleScript());
  }, 60_000);
});
