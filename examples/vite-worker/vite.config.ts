import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import { cloudflare } from "@cloudflare/vite-plugin";
import perfOptimizer from "perf-optimizer/vite";

export default defineConfig({
  plugins: [react(), cloudflare(), perfOptimizer()],
});
