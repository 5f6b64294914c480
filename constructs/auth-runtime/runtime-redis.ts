import { RedisCache } from '@cdktf/provider-azurerm/lib/redis-cache/index.js';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import type { AuthKeyVault, AuthKeyVaultSecret } from '../auth-key-vault/index.js';
import { checkIntegerRange, checkPattern, ExpirySchedule } from '../core/index.js';

/** Azure Cache for Redis, shared by the replicas for rate limits. */
export interface RuntimeRedisOptions {
  /**
   * Globally unique cache name, 1-63 letters, digits and hyphens.
   * @default - `<runtime name>-redis`
   */
  readonly name?: string;
  /**
   * `Basic` (no SLA, single node), `Standard` (replicated) or `Premium`.
   * @default "Basic"
   */
  readonly skuName?: 'Basic' | 'Standard' | 'Premium';
  /**
   * Size within the SKU family (C0-C6 for Basic/Standard, P1-P5 for Premium).
   * @default - 0 for Basic and Standard, 1 for Premium
   */
  readonly capacity?: number;
}

export interface RuntimeRedisProps extends RuntimeRedisOptions {
  readonly name: string;
  readonly resourceGroupName: string;
  readonly location: string;
  readonly keyVault: AuthKeyVault;
  readonly secretNamePrefix: string;
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * An Azure Cache for Redis (TLS 1.2 only, non-TLS port off) whose `rediss://` URL, access key included, is written to
 * Key Vault (`urlSecret`). The access key itself does not expire; the secret's expiry is renewed yearly by apply.
 */
export class RuntimeRedis extends Construct {
  readonly cache: RedisCache;
  readonly urlSecret: AuthKeyVaultSecret;

  constructor(scope: Construct, id: string, props: RuntimeRedisProps) {
    super(scope, id);
    checkPattern(
      this,
      'redis.name',
      props.name,
      /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/,
      '1-63 letters, digits or hyphens',
    );
    const skuName = props.skuName ?? 'Basic';
    const capacity = props.capacity ?? (skuName === 'Premium' ? 1 : 0);
    if (skuName === 'Premium') checkIntegerRange(this, 'redis.capacity', capacity, 1, 5);
    else checkIntegerRange(this, 'redis.capacity', capacity, 0, 6);
    this.cache = new RedisCache(this, 'Resource', {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      skuName,
      family: skuName === 'Premium' ? 'P' : 'C',
      capacity,
      minimumTlsVersion: '1.2',
      nonSslPortEnabled: false,
      redisVersion: '6',
      tags: props.tags ? { ...props.tags } : undefined,
    });
    const expiry = new ExpirySchedule(this, 'SecretExpiry', { lifetimeDays: 365, rotateAfterDays: 243 });
    this.urlSecret = props.keyVault.storeSecret(`${props.secretNamePrefix}-redis-url`, {
      // The access key is base64 (`+`, `/`, `=`): percent-encode it for the URL's userinfo.
      value: `rediss://:${Fn.urlencode(this.cache.primaryAccessKey)}@${this.cache.hostname}:${this.cache.sslPort}`,
      expirationDate: expiry.expiresAtRfc3339,
      contentType: 'text/plain; redis-url',
    });
  }
}
