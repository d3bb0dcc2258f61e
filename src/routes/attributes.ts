/** GET /attributes — the attributes a model version (default: current) can shift faces along, for forms and sliders. */
import { Hono } from 'hono';
import { zValidator } from '@hono/zod-validator';
import type { AppEnv } from '../http/app-env';
import { onInvalid } from '../http/errors';
import { attributesQuery, MAX_STRENGTH } from '../http/params';
import type { ModelStore } from '../runtime/model-store';

/** The attribute listing route for `store`. */
export function attributesRoute(store: ModelStore) {
  return new Hono<AppEnv>().get('/attributes', zValidator('query', attributesQuery, onInvalid), async (c) => {
    const { v } = c.req.valid('query');
    const entry = await store.entry(c.env.MODELS, v);
    const set = await store.attributes(c.env.MODELS, entry.version);
    const body = {
      model: entry.version,
      usage: '/face/<seed>?<name>=<strength>&…; 0 is the unshifted face',
      attributes: [...set].map(([name, { positive }]) => ({ name, positive, range: [-MAX_STRENGTH, MAX_STRENGTH] })),
    };
    // The default version can change within a minute of a manifest update (the store's manifest TTL).
    return c.json(body, 200, { 'Cache-Control': v ? 'public, max-age=3600' : 'public, max-age=60' });
  });
}
