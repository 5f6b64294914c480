import type { AppContext } from '../http/context.js';

/**
 * Memoizes `create` per app: the returned function builds the value on first use for a given `AppContext` and hands
 * the same instance back afterwards. Tests run several apps in one process, so nothing is a module-level singleton.
 */
export function perApp<T>(create: (ctx: AppContext) => T): (ctx: AppContext) => T {
  const instances = new WeakMap<AppContext, T>();
  return (ctx) => {
    let instance = instances.get(ctx);
    if (instance === undefined) {
      instance = create(ctx);
      instances.set(ctx, instance);
    }
    return instance;
  };
}
