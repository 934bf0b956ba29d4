import { Hono } from "hono";
import { fromHono } from "chanfana";
import { Health, NewTodo } from "./openapi";
import { shortDate } from "./dates";

interface Env {
  DB: D1Database;
}

interface TodoRow {
  id: number;
  title: string;
  done: number;
  created_at: string;
}

const app = new Hono<{ Bindings: Env }>();
const openapi = fromHono(app, { docs_url: "/api/docs" });
openapi.get("/api/health", Health);

app.get("/api/todos", async (c) => {
  const { results } = await c.env.DB.prepare("SELECT id, title, done, created_at FROM todos ORDER BY id").all<TodoRow>();
  return c.json(results.map((row) => ({ id: row.id, title: row.title, done: row.done === 1, created: shortDate(row.created_at) })));
});

app.post("/api/todos", async (c) => {
  const items = NewTodo.array().parse(await c.req.json());
  // Problem: one D1 round trip per item; DB.batch() sends them together.
  for (const item of items) {
    await c.env.DB.prepare("INSERT INTO todos (title) VALUES (?)").bind(item.title).run();
  }
  return c.json({ added: items.length }, 201);
});

export default app;
