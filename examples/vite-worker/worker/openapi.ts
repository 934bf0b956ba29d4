// Problem: chanfana depends on zod 4 while the Worker uses zod 3: both are bundled.
import { OpenAPIRoute } from "chanfana";
import { z } from "zod";

export const NewTodo = z.object({ title: z.string().min(1).max(200) });

export class Health extends OpenAPIRoute {
  schema = { summary: "Liveness probe", responses: { "200": { description: "The service is up" } } };

  async handle() {
    return { ok: true };
  }
}
