import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../runtime/src/config.js';
import { testConfig } from '../../support/config.js';

const VARIABLES = [
  'RATE_LIMIT_API_KEY_PER_MINUTE',
  'RATE_LIMIT_CLIENT_PER_MINUTE',
  'RATE_LIMIT_TEAM_TOKEN_PER_MINUTE',
  'RATE_LIMIT_USER_PER_MINUTE',
] as const;

describe('request budget settings', () => {
  it('default to 1200 a minute for API keys and clients, 600 for team tokens and users', () => {
    expect(testConfig().requestBudgets).toEqual({ apiKey: 1200, client: 1200, teamToken: 600, user: 600 });
  });

  it('are read per credential kind, 0 meaning unlimited', () => {
    const config = testConfig({
      RATE_LIMIT_API_KEY_PER_MINUTE: '0',
      RATE_LIMIT_CLIENT_PER_MINUTE: '30',
      RATE_LIMIT_TEAM_TOKEN_PER_MINUTE: '100000000',
      RATE_LIMIT_USER_PER_MINUTE: '45',
    });
    expect(config.requestBudgets).toEqual({ apiKey: 0, client: 30, teamToken: 100_000_000, user: 45 });
  });

  it.each(['-1', '1.5', 'many', '100000001'])('refuses %s, naming each variable and its range', (value) => {
    const error = (() => {
      try {
        testConfig(Object.fromEntries(VARIABLES.map((name) => [name, value])));
      } catch (thrown) {
        return thrown;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    const defaults = [1200, 1200, 600, 600];
    expect((error as ConfigError).problems).toEqual(
      VARIABLES.map((name, i) => `${name} must be an integer from 0 to 100000000 (default ${defaults[i]})`),
    );
  });
});
