import { describe, expect, it } from "vitest";
import * as art from "../scripts/gen-art.js";
import * as client from "../src/client/assets.js";
import { MAX_ARMOR } from "../src/shared/items.js";
import { MOB_KINDS } from "../src/shared/mobs.js";

describe("the client's idea of the art's layout", () => {
  it("matches what gen-art draws: frame sizes, columns, rows and where the chest and starting gear are", () => {
    expect(client.CHARACTER_COLUMNS).toBe(art.CHARACTER_COLUMNS);
    expect([client.WALK_FRAMES, client.IDLE_FRAMES, client.ATTACK_FRAMES]).toEqual([art.WALK_FRAMES, art.IDLE_FRAMES, art.ATTACK_FRAMES]);
    expect([...client.CHARACTER_FACINGS]).toEqual([...art.CHARACTER_FACINGS]);
    expect(client.CHARACTER_LOOKS).toBe(art.LOOKS.length);
    expect([client.MOB_FRAME, client.MOB_FEET, client.WEAPON_FRAME]).toEqual([art.MOB_FRAME, art.MOB_FEET, art.WEAPON_FRAME]);
    expect([client.FX_FRAME, client.PUFF_FRAMES, client.GLOW_FRAMES]).toEqual([art.FX_FRAME, art.PUFF_FRAMES, art.GLOW_FRAMES]);
    expect([...client.ICONS]).toEqual([...art.ICONS]);
    expect(client.ITEM_FRAME_OF).toEqual({
      chest: art.ITEM_FRAMES.indexOf("chest"),
      chestOpen: art.ITEM_FRAMES.indexOf("chest-open"),
      weapon1: art.ITEM_FRAMES.indexOf("weapon1"),
      armor1: art.ITEM_FRAMES.indexOf("armor1"),
    });
    expect(client.ARMOR_FIRST_RANK + art.ARMOR_TIERS - 1).toBe(MAX_ARMOR);
    expect(art.MOB_ART.length).toBe(MOB_KINDS.length);
    expect(client.NPC_FRAMES).toBe(art.IDLE_FRAMES);
  });
});
