import type {
  ContainerAppSecret,
  ContainerAppTemplateContainerEnv,
} from '@cdktf/provider-azurerm/lib/container-app/index.js';
import type { AuthKeyVaultSecret } from '../auth-key-vault/index.js';

/**
 * Collects a Container App's env and secrets so that a secret can only enter as a Key Vault reference: `fromVault`
 * adds `{ name, key_vault_secret_id = <versionless id>, identity }` and an env var pointing at it by `secret_name`;
 * `plain` is for values that are not secret.
 */
export class ContainerEnv {
  readonly secrets: ContainerAppSecret[] = [];
  readonly env: ContainerAppTemplateContainerEnv[] = [];

  /** @param identityId the user-assigned identity that resolves every Key Vault reference */
  constructor(private readonly identityId: string) {}

  plain(variable: string, value: string): void {
    this.env.push({ name: variable, value });
  }

  /** `variable` from the Key Vault secret, via the Container App secret `secretName` (lower case, digits, hyphens). */
  fromVault(variable: string, secretName: string, secret: AuthKeyVaultSecret): void {
    this.secrets.push({ name: secretName, keyVaultSecretId: secret.secretVersionlessId, identity: this.identityId });
    this.env.push({ name: variable, secretName });
  }
}
