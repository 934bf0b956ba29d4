import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export type OrderStatus = 'pending' | 'paid' | 'shipped' | 'cancelled';

export interface OrderPayload {
  shippingAddress: { line1: string; city: string; country: string; postcode: string };
  card?: { brand: string; last4: string };
  giftMessage?: string;
}

export const users = sqliteTable('users', {
  id: text('id').primaryKey(),
  email: text('email').notNull().unique(),
  name: text('name').notNull(),
  createdAt: integer('created_at', { mode: 'timestamp' }).notNull(),
});

export const orders = sqliteTable(
  'orders',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    status: text('status').$type<OrderStatus>().notNull().default('pending'),
    // integer cents
    total: integer('total').notNull(),
    notes: text('notes'),
    payload: text('payload', { mode: 'json' }).$type<OrderPayload>(),
    createdAt: integer('created_at', { mode: 'timestamp' }).notNull(),
  },
  (t) => [
    index('orders_status_created').on(t.status, t.createdAt),
    index('orders_user_created').on(t.userId, t.createdAt),
  ],
);

export const orderItems = sqliteTable(
  'order_items',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id')
      .notNull()
      .references(() => orders.id),
    sku: text('sku').notNull(),
    qty: integer('qty').notNull(),
  },
  (t) => [index('order_items_order_id').on(t.orderId)],
);

export type User = typeof users.$inferSelect;
export type Order = typeof orders.$inferSelect;
export type OrderItem = typeof orderItems.$inferSelect;
