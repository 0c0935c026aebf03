import { fileURLToPath } from "node:url";
import { defaultClientConditions, defineConfig } from "vite";

// Builds the canvas page into dist/public, which the dots server hosts. Workspace packages
// are bundled from their TypeScript sources (the `source` export condition).
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  resolve: { conditions: ["source", ...defaultClientConditions] },
  build: { outDir: "dist/public", emptyOutDir: true, target: "es2022" },
});
