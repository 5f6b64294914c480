export {
  ApplicationCredential,
  type ApplicationCredentialOptions,
  type ApplicationCredentialProps,
  type ClientSecretCredentialOptions,
  type FederatedCredentialOptions,
} from './application-credential.js';
