import { KeyVaultSecret } from '@cdktf/provider-azurerm/lib/key-vault-secret/index.js';
import { Password } from '@cdktf/provider-random/lib/password/index.js';
import { type ITerraformDependable, Token } from 'cdktf';
import { Construct } from 'constructs';
import {
  checkIntegerRange,
  checkPattern,
  defaultRotateAfterDays,
  ExpirySchedule,
  ValidationError,
} from '../core/index.js';

/** Key Vault secret names: 1-127 letters, digits and hyphens. */
export const SECRET_NAME_PATTERN = /^[A-Za-z0-9-]{1,127}$/;

/** Secret lifetime bounds in days: at least a week, at most two years (the longest Entra allows for a password). */
export const MIN_SECRET_LIFETIME_DAYS = 7;
export const MAX_SECRET_LIFETIME_DAYS = 730;

export interface SecretExpiryOptions {
  /**
   * Days from (re)creation until the secret expires (`expiration_date`), 7 to 730.
   * @default 365
   */
  readonly expiresInDays?: number;
  /**
   * Days after which the next `terraform apply` renews the expiry (and, for generated secrets with
   * `valueRotationEnabled`, the value). Must be less than `expiresInDays`.
   * @default - two thirds of `expiresInDays`
   */
  readonly rotateAfterDays?: number;
}

export interface GeneratedSecretOptions extends SecretExpiryOptions {
  /**
   * Length of the generated value in characters, 16 to 1024.
   * @default 48
   */
  readonly lengthChars?: number;
  /**
   * Whether a rotation also generates a new value (create-before-destroy). Turn off for values that must never change
   * once data depends on them (an encryption key, a hashing pepper): then only the expiry is renewed, which is not
   * rotation, and the secret is tagged `value-rotation = "none-expiry-renewal-only"`.
   * @default true
   */
  readonly valueRotationEnabled?: boolean;
  /**
   * Include special characters in the generated value.
   * @default true
   */
  readonly specialCharactersEnabled?: boolean;
  /**
   * The secret's `content_type`, telling readers what the value is.
   * @default "text/plain"
   */
  readonly contentType?: string;
}

export interface StoredSecretOptions {
  /** The value: must come from the Terraform graph (a token such as `azuread_application_password.value`), never a literal. */
  readonly value: string;
  /** RFC 3339 expiry, usually a token from the credential's own schedule. */
  readonly expirationDate: string;
  /**
   * The secret's `content_type`.
   * @default "text/plain"
   */
  readonly contentType?: string;
}

/** What an `AuthKeyVaultSecret` needs from its vault (kept narrow to avoid a circular import). */
export interface SecretVault {
  readonly keyVaultId: string;
  /** Resources every secret write waits for (the deployer's role assignment and its propagation delay). */
  readonly secretWriteDependencies: readonly ITerraformDependable[];
}

/**
 * One Key Vault secret. Created by `AuthKeyVault.addGeneratedSecret` (value from `random_password`) or
 * `AuthKeyVault.storeSecret` (value from another resource); always with an `expiration_date` and a `content_type`.
 * Reference it from a Container App by `secretVersionlessId` so new versions are picked up.
 */
export class AuthKeyVaultSecret extends Construct {
  /** The `azurerm_key_vault_secret`. */
  readonly secretResource: KeyVaultSecret;
  /** Secret name in the vault. */
  readonly secretName: string;
  /** Id of the current version. */
  readonly secretId: string;
  /** Id without version (`https://<vault>.vault.azure.net/secrets/<name>`): use it for Key Vault references. */
  readonly secretVersionlessId: string;
  /** ARM resource id without version, for role assignments scoped to this one secret. */
  readonly secretResourceVersionlessId: string;
  /** RFC 3339 expiry (known at apply time). */
  readonly secretExpiresAt: string;

  /** @internal use `AuthKeyVault.addGeneratedSecret` / `storeSecret`. */
  constructor(
    scope: Construct,
    name: string,
    vault: SecretVault,
    source: GeneratedSecretOptions | StoredSecretOptions,
  ) {
    super(scope, name);
    checkPattern(this, 'name', name, SECRET_NAME_PATTERN, '1-127 letters, digits or hyphens');
    const stored = 'value' in source ? source : undefined;
    let value: string;
    let expirationDate: string;
    let tags: Record<string, string> | undefined;
    if (stored) {
      if (!Token.isUnresolved(stored.value)) {
        // The value itself is never echoed: it may be a real secret someone pasted.
        throw new ValidationError(
          this,
          'value',
          'a token from the Terraform graph, never a literal secret',
          '<literal>',
        );
      }
      if (typeof stored.expirationDate !== 'string' || stored.expirationDate === '') {
        throw new ValidationError(this, 'expirationDate', 'an RFC 3339 timestamp or token', stored.expirationDate);
      }
      value = stored.value;
      expirationDate = stored.expirationDate;
    } else {
      const generated = source as GeneratedSecretOptions;
      const lengthChars = generated.lengthChars ?? 48;
      checkIntegerRange(this, 'lengthChars', lengthChars, 16, 1024);
      const schedule = createSecretSchedule(this, generated);
      const valueRotationEnabled = generated.valueRotationEnabled ?? true;
      const password = new Password(this, 'Value', {
        length: lengthChars,
        special: generated.specialCharactersEnabled ?? true,
        keepers: valueRotationEnabled ? { rotation: schedule.rotationId } : undefined,
        // A rotation replaces the value: the new one exists (and is written as a new secret version) first.
        lifecycle: valueRotationEnabled ? { createBeforeDestroy: true } : undefined,
      });
      value = password.result;
      expirationDate = schedule.expiresAtRfc3339;
      // Said on the secret itself, for whoever reads the vault: a renewed expiry is not a new value.
      tags = { 'value-rotation': valueRotationEnabled ? 'scheduled' : 'none-expiry-renewal-only' };
    }
    this.secretResource = new KeyVaultSecret(this, 'Resource', {
      name,
      keyVaultId: vault.keyVaultId,
      value,
      expirationDate,
      contentType: source.contentType ?? 'text/plain',
      tags,
      dependsOn: [...vault.secretWriteDependencies],
    });
    this.secretName = name;
    this.secretId = this.secretResource.id;
    this.secretVersionlessId = this.secretResource.versionlessId;
    this.secretResourceVersionlessId = this.secretResource.resourceVersionlessId;
    this.secretExpiresAt = expirationDate;
  }
}

/**
 * Validates `expiresInDays` / `rotateAfterDays` and creates the schedule ("Schedule") under `scope`. Shared by
 * generated secrets and Entra client secrets so both follow one lifetime rule.
 */
export function createSecretSchedule(
  scope: Construct,
  options: SecretExpiryOptions,
  props: { lifetime: string; rotateAfter: string } = { lifetime: 'expiresInDays', rotateAfter: 'rotateAfterDays' },
): ExpirySchedule {
  const lifetimeDays = options.expiresInDays ?? 365;
  checkIntegerRange(scope, props.lifetime, lifetimeDays, MIN_SECRET_LIFETIME_DAYS, MAX_SECRET_LIFETIME_DAYS);
  const rotateAfterDays = options.rotateAfterDays ?? defaultRotateAfterDays(lifetimeDays);
  checkIntegerRange(scope, props.rotateAfter, rotateAfterDays, 1, lifetimeDays - 1);
  return new ExpirySchedule(scope, 'Schedule', { lifetimeDays, rotateAfterDays });
}
