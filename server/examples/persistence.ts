// Persistence and scale-out building blocks, without a game: a world's admission reserved
// in the registry, a player loaded and saved under a lease, an announcement on the bus.
// Embedded (LMDB in ./data, in-memory registry and bus), or shared by every process with a Redis URL:
// Run: node --conditions=source --import tsx server/examples/persistence.ts [redis://127.0.0.1:6379]
import { fileURLToPath } from "node:url";
import {
  InMemoryRegistry,
  InProcessBus,
  LmdbPlayerStore,
  type MessageBus,
  newHolderId,
  PlayerSaver,
  type PlayerStore,
  RedisBus,
  RedisPlayerStore,
  RedisRegistry,
  silentLogger,
  type WorldRegistry,
} from "@tickwire/server";

/** How long this process holds a player it hosts; a real server renews well before it ends. */
const LEASE_MS = 30_000;

export async function run(options: { redisUrl?: string; dataDir?: string }): Promise<string[]> {
  const { redisUrl } = options;
  const lines: string[] = [];
  const store: PlayerStore = redisUrl
    ? new RedisPlayerStore({ redis: redisUrl })
    : new LmdbPlayerStore({ dir: options.dataDir ?? "./data" });
  const registry: WorldRegistry = redisUrl ? new RedisRegistry({ redis: redisUrl }) : new InMemoryRegistry();
  const bus: MessageBus = redisUrl ? await RedisBus.open({ redis: redisUrl }) : new InProcessBus();
  const holder = newHolderId();
  const saver = new PlayerSaver({ store, holder, logger: silentLogger() });
  try {
    // Matchmaking: a world with room for 2; three players ask at once.
    await registry.upsert({ id: "main", game: "quest", population: 0, capacity: 2, address: "", updatedAt: performance.now() });
    const asks = await Promise.all([1, 2, 3].map(() => registry.reserve("main", 2)));
    lines.push(`reservations: ${asks.map((ask) => (ask.ok ? "granted" : ask.reason)).join(", ")}`);
    const granted = asks.flatMap((ask) => (ask.ok ? [ask.reservation] : []));
    for (const reservation of granted) await registry.commit(reservation);
    lines.push(`population: ${(await registry.list("quest"))[0]?.population}`);

    // Persistence: hold ann, load her record, save her progress off the caller's tick.
    if (!(await store.acquire("ann", holder, LEASE_MS))) throw new Error("ann is held by another process");
    const saved = await store.load("ann");
    const level = typeof saved?.level === "number" ? saved.level : 0;
    lines.push(saved === undefined ? "ann is new" : `ann is back at level ${level}`);
    saver.save("ann", { level: level + 1 });
    const flushed = await saver.flushAll(5_000);
    lines.push(`saved: ${flushed.done}`);
    lines.push(`another process may take ann: ${await store.acquire("ann", newHolderId(), LEASE_MS)}`);
    await store.release("ann", holder);

    // Cross-process messages: every process hears an announcement, this one included.
    const heard = new Promise<string>((resolve) => bus.subscribe("announce", (message) => resolve(message.text)));
    await bus.publish({ type: "announce", text: "restart in 5 minutes" });
    lines.push(`announcement: ${await heard}`);
    return lines;
  } finally {
    await registry.remove("main");
    await Promise.all([store.close(), registry.close(), bus.close()]);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const line of await run({ redisUrl: process.argv[2] })) console.log(line);
}
