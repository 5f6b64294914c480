export {
  AuthKeyVault,
  type AuthKeyVaultProps,
  type KeyVaultDeployerAccess,
  type KeyVaultPrivateEndpointOptions,
  type SecretGrantOptions,
} from './auth-key-vault.js';
export {
  AuthKeyVaultSecret,
  createSecretSchedule,
  type GeneratedSecretOptions,
  MAX_SECRET_LIFETIME_DAYS,
  MIN_SECRET_LIFETIME_DAYS,
  type SecretExpiryOptions,
  type StoredSecretOptions,
} from './auth-key-vault-secret.js';
