import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Config, type Env, loadConfig } from '../../runtime/src/config.js';

/** Fixed test key material (hex, 32 bytes each): tests never rely on generated development secrets. */
export const TEST_KEY_ENCRYPTION_KEY = '11'.repeat(32);
export const TEST_API_KEY_PEPPER = '22'.repeat(32);

/** A valid test configuration (port 0, fixed secrets, temp data dir); `env` overrides any variable. */
export function testConfig(env: Env = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    PUBLIC_URL: 'http://127.0.0.1:8080',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'gatehouse-data-')),
    KEY_ENCRYPTION_KEY: TEST_KEY_ENCRYPTION_KEY,
    API_KEY_PEPPER: TEST_API_KEY_PEPPER,
    LOG_LEVEL: 'silent',
    ...env,
  });
}
