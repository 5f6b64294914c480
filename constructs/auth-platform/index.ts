export {
  AuthPlatform,
  type AuthPlatformProps,
  type PlatformClientOptions,
  type PlatformRuntimeOptions,
} from './auth-platform.js';
export { RuntimeNetwork, type RuntimeNetworkOptions } from './runtime-network.js';
