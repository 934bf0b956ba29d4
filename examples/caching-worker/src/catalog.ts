// Data access shared by the routes: the I/O a route does through a helper.
export async function listProducts(env: Env) {
  const { results } = await env.DB.prepare('SELECT id, name, price FROM products ORDER BY name LIMIT 100').all();
  return results;
}

export async function productById(env: Env, id: string) {
  return env.DB.prepare('SELECT id, name, price FROM products WHERE id = ?').bind(id).first();
}
