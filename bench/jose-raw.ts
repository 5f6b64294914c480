import { exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT } from 'jose';

/**
 * jose's raw ES256 verify rate on this machine, measured in the same run as the HTTP numbers: distinct tokens,
 * keys imported once, single core, for a fixed duration.
 */
export async function measureJoseVerifyRate(durationMs = 2000, distinctTokens = 2000): Promise<number> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const key = await importJWK(await exportJWK(publicKey), 'ES256');
  const tokens: string[] = [];
  for (let i = 0; i < distinctTokens; i++) {
    tokens.push(
      await new SignJWT({ n: i })
        .setProtectedHeader({ alg: 'ES256', kid: 'k' })
        .setIssuer('bench')
        .setAudience('bench')
        .setExpirationTime('10m')
        .sign(privateKey),
    );
  }
  let verified = 0;
  const started = performance.now();
  while (performance.now() - started < durationMs) {
    await jwtVerify(tokens[verified % distinctTokens] as string, key, { issuer: 'bench', audience: 'bench' });
    verified++;
  }
  return Math.round(verified / ((performance.now() - started) / 1000));
}
