import { configDefaults, defineConfig, mergeConfig } from "vitest/config";
import shared from "../vitest.shared.ts";

// The game template's own test runs in a game generated from it (test/new-game.test.ts), not here.
export default mergeConfig(shared, defineConfig({ test: { exclude: [...configDefaults.exclude, "templates/**"] } }));
