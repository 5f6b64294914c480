import { z } from 'zod';
import { type AnyRoute, route } from '../http/route.js';
import type { Readiness } from './readiness.js';

const HealthSchema = z.object({ status: z.literal('ok') });
const ReadySchema = z.object({
  status: z.enum(['ready', 'not_ready']),
  checks: z.object({ store: z.enum(['ok', 'unreachable']), signing_key: z.enum(['ok', 'missing']) }),
});

/** `/healthz` (process alive) and `/readyz` (store reachable and an active signing key loaded, else 503). */
export function healthRoutes(readiness: Readiness): AnyRoute[] {
  return [
    route({
      method: 'get',
      path: '/healthz',
      summary: 'Liveness: the process answers',
      tags: ['operations'],
      access: 'public',
      responses: { 200: { description: 'Alive', schema: HealthSchema } },
      handler: () => ({ status: 'ok' as const }),
    }),
    route({
      method: 'get',
      path: '/readyz',
      summary: 'Readiness: the store answers and an active signing key is loaded',
      tags: ['operations'],
      access: 'public',
      responses: {
        200: { description: 'Ready', schema: ReadySchema },
        503: { description: 'Not ready (see checks)', schema: ReadySchema },
      },
      handler: async (_req, res) => {
        const checks = await readiness.check();
        const ready = Object.values(checks).every((state) => state === 'ok');
        res
          .status(ready ? 200 : 503)
          .set('Cache-Control', 'no-store')
          .json({ status: ready ? 'ready' : 'not_ready', checks });
      },
    }),
  ];
}
