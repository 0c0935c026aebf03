/** Where the Quest sample game lives, seen from the benchmark's sources. */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const QUEST_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "games", "quest");
/** The game module the bots load: Quest's input, schema, prediction and behaviours. */
export const QUEST_BOTS_MODULE = join(QUEST_DIR, "src", "bots", "index.ts");
