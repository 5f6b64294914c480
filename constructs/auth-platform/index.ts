export {
  AuthPlatform,
  type AuthPlatformProps,
  type PlatformClientOptions,
  type PlatformRuntimeOptions,
} from './auth-platform.js';
