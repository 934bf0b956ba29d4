import type { Database } from './db';

export interface Env {
  DB: D1Database;
  CACHE: KVNamespace;
  UPLOADS: R2Bucket;
  ANALYTICS_URL: string;
  SHIPPING_API: string;
  PAYMENTS_API: string;
}

export type AppEnv = {
  Bindings: Env;
  Variables: { db: Database };
};
