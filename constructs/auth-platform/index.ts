export {
  AuthPlatform,
  type AuthPlatformProps,
  type PlatformClientOptions,
  type PlatformDeployerAccess,
  type PlatformKeyVaultOptions,
  type PlatformRuntimeOptions,
} from './auth-platform.js';
export { KEY_VAULT_PRIVATE_DNS_ZONE, RuntimeNetwork, type RuntimeNetworkOptions } from './runtime-network.js';
