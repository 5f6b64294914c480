export {
  ClientCredentialApp,
  type ClientCredentialAppOptions,
  type ClientCredentialAppProps,
} from './client-credential-app.js';
