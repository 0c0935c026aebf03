import { defineConfig } from "vitest/config";

// Every package's tests resolve workspace packages to their TypeScript sources and
// write a JSON report that the root test runner sums into one summary line.
export default defineConfig({
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"] } },
  test: {
    reporters: ["default", ["json", { outputFile: "test-results/vitest.json" }]],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
