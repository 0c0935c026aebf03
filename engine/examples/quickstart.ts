// A server store, one client view and a client mirror: the round trip the server and
// client packages run every tick, without a socket.
import { defineSchema, EntityStore, t } from "@tickwire/engine";
import { ByteWriter, createClientView, encodeDelta, SnapshotMirror } from "@tickwire/engine/wire";

const schema = defineSchema({
  player: { x: t.fixed(1 / 16, { min: 0, max: 1000 }), y: t.fixed(1 / 16, { min: 0, max: 1000 }), hp: t.uint(8) },
});

const store = new EntityStore(schema);
const hero = store.spawn("player", { x: 10, y: 20, hp: 100 });
store.commit();

const view = createClientView();
const mirror = new SnapshotMirror(schema);
const writer = new ByteWriter();

encodeDelta(store, view, null, writer.reset()); // first message: FULL
mirror.apply(writer.view(), store.tick);

hero.x += 2.5; // only x changed: the next delta carries one field
store.commit();
encodeDelta(store, view, null, writer.reset()); // RELATIVE to the previous tick
const result = mirror.apply(writer.view(), store.tick);

console.log(`delta of ${writer.length} bytes, ok=${result.ok}, x on the client = ${mirror.get(hero.id)?.values.x}`);
