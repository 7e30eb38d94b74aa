import { z } from 'zod';

/** A realistic ~10 KB service config: servers, feature flags, limits. */
export function makeConfig(): Record<string, unknown> {
  return {
    service: 'checkout',
    counter: 0,
    server: { host: '0.0.0.0', port: 8080, tls: { cert: '/etc/tls/cert.pem', key: '/etc/tls/key.pem' } },
    upstreams: Array.from({ length: 60 }, (_, i) => ({
      name: `backend-${i}`,
      host: `10.0.${Math.floor(i / 10)}.${i % 250}`,
      port: 9000 + i,
      weight: (i % 5) + 1,
      healthCheck: { path: '/healthz', intervalMs: 5000, timeoutMs: 1000 },
    })),
    features: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`feature_${i}`, i % 3 === 0])),
  };
}

/** The schema updateJson validates against, before and after each update. */
export const ConfigSchema = z.object({
  service: z.string(),
  counter: z.number().int().nonnegative(),
  server: z.object({ host: z.string(), port: z.number().int().min(1).max(65535) }),
  upstreams: z.array(
    z.object({ name: z.string(), host: z.string(), port: z.number().int(), weight: z.number() }),
  ),
  features: z.record(z.string(), z.boolean()),
});
