import { drizzle } from 'drizzle-orm/d1';
import { lt } from 'drizzle-orm';
import type { Env } from './types';
import { sessions } from './db/schema';

export default {
  async scheduled(_controller: ScheduledController, env: Env) {
    const db = drizzle(env.DB);
    await db.delete(sessions).where(lt(sessions.expiresAt, Date.now()));
  },
};
