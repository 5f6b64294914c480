/** The one client the oidc-provider peer knows; a bench-only value, never a real secret. */
export const PEER_CLIENT_ID = 'bench-client';
export const PEER_CLIENT_SECRET = 'bench-client-secret-not-a-real-secret-0123456789';
