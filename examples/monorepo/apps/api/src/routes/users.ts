import type { DrizzleD1Database } from 'drizzle-orm/d1';
import { users } from '../db/schema';

export async function listUsers(db: DrizzleD1Database) {
  // Every user on every request: the table grows with the business.
  return db.select({ id: users.id, name: users.name }).from(users);
}
