import { EntityStore, Rng } from "@tickwire/engine";
import { describe, expect, it } from "vitest";
import { MapError } from "../src/shared/map.js";
import { schema } from "../src/shared/schema.js";
import { MobSystem, type MobWorld } from "../src/server/mobs.js";
import { TimeWheel } from "../src/server/time-wheel.js";
import { loadWorldMap, withMobCount } from "../src/server/world-map.js";

const map = loadWorldMap();
const ownTotal = map.mobAreas.reduce((sum, area) => sum + area.count, 0);
const total = (m: typeof map) => m.mobAreas.reduce((sum, area) => sum + area.count, 0);

/** Open tiles of each area, counted directly. */
function room(m: typeof map): number[] {
  return m.mobAreas.map(({ rect }) => {
    let open = 0;
    for (let ty = rect.ty; ty < rect.ty + rect.h; ty++) for (let tx = rect.tx; tx < rect.tx + rect.w; tx++) if (!m.blocked(tx, ty) && !m.portalAt(tx, ty)) open++;
    return open;
  });
}

describe("withMobCount (QUEST_MOBS_PER_WORLD)", () => {
  it("puts exactly 1,000 mobs in the map's areas, each at least its own count and within its open tiles", () => {
    const scaled = withMobCount(map, 1000);
    expect(total(scaled)).toBe(1000);
    const open = room(scaled);
    scaled.mobAreas.forEach((area, i) => {
      expect(area.count).toBeGreaterThanOrEqual(map.mobAreas[i].count);
      expect(area.count).toBeLessThanOrEqual(open[i]);
      expect([area.name, area.kind, area.rect]).toEqual([map.mobAreas[i].name, map.mobAreas[i].kind, map.mobAreas[i].rect]);
    });
  });

  it("keeps the map's own counts at its own total", () => {
    expect(withMobCount(map, ownTotal).mobAreas.map((a) => a.count)).toEqual(map.mobAreas.map((a) => a.count));
  });

  it("spawns that many mobs in a world", () => {
    const store = new EntityStore(schema);
    const world = { time: 0, rng: new Rng(1), spawn: store.spawn.bind(store), despawn: store.despawn.bind(store) } as unknown as MobWorld;
    new MobSystem(withMobCount(map, 1000), new TimeWheel(50), { mobAttacks() {}, mobDied() {}, areaCleared() {} }).populate(world);
    let mobs = 0;
    for (let id = 0; id < store.idCapacity; id++) if (store.get(id)?.type === "mob") mobs++;
    expect(mobs).toBe(1000);
  });

  it("refuses a count the areas have no room for, or one that is not a whole number", () => {
    const capacity = room(map).reduce((sum, open) => sum + open, 0);
    expect(() => withMobCount(map, capacity + 1)).toThrow(new MapError(`the map's mob areas have room for ${capacity} mobs, not ${capacity + 1}`));
    expect(() => withMobCount(map, 2.5)).toThrow(MapError);
    expect(() => withMobCount(map, -1)).toThrow(MapError);
  });
});
