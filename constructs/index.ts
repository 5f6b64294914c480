// The package's root entry (`@gatehouse/constructs`): every construct folder's exports in one import. Each folder is
// also its own subpath (`@gatehouse/constructs/auth-platform`), which loads only the provider classes it uses.
export * from './application-credential/index.js';
export * from './auth-key-vault/index.js';
export * from './auth-platform/index.js';
export * from './auth-runtime/index.js';
export * from './client-credential-app/index.js';
export * from './core/index.js';
export * from './deployment-identity/index.js';
export * from './entra-api-application/index.js';
export * from './state-storage/index.js';
