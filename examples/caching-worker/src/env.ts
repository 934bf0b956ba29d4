declare global {
  interface Env {
    DB: D1Database;
    FLAGS: KVNamespace;
    JWKS_URL: string;
  }
}
export {};
