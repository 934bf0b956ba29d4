export interface Env {
  DB: D1Database;
  SHIPPING_API: string;
}
