/**
 * What lies on the ground and what stands in chests. Drops land on a tile, blink after 10 s
 * and are gone at 14 s (BrowserQuest's times); a tile holds one item, looked up by tile when
 * a player steps on it. Static chests refill 30 s after being opened; an area's chest
 * appears when every mob of that area is dead and goes once opened.
 */
import type { Entity } from "@tickwire/engine";
import type { GameContext } from "@tickwire/server";
import type { ItemKind } from "../shared/items.js";
import { type ChestSpot, type QuestMap, type TilePoint, tileCentre, tileOf } from "../shared/map.js";
import type { schema } from "../shared/schema.js";
import type { TimeWheel } from "./time-wheel.js";

type Quest = typeof schema;
export type ItemEntity = Entity<Quest, "item">;
export type ChestEntity = Entity<Quest, "chest">;

export const DROP_BLINK_MS = 10_000;
export const DROP_LIFETIME_MS = 14_000;
export const CHEST_REFILL_MS = 30_000;

/** What loot needs of the world: its entities, clock and dice. */
export type LootWorld = Pick<GameContext<Quest>, "time" | "rng" | "spawn" | "despawn">;

export interface Chest {
  readonly spot: ChestSpot;
  entity: ChestEntity | null;
}

export class Loot {
  /** Items on the ground by tile (ty × width + tx). */
  private readonly items = new Map<number, ItemEntity>();
  readonly chests: Chest[];
  private readonly chestById = new Map<number, Chest>();

  constructor(
    private readonly map: QuestMap,
    private readonly wheel: TimeWheel,
  ) {
    this.chests = map.chests.map((spot) => ({ spot, entity: null }));
  }

  /** The static chests stand from the start; area chests wait for their area. */
  placeChests(world: LootWorld): void {
    for (const chest of this.chests) if (chest.spot.area === null) this.showChest(world, chest);
  }

  get itemCount(): number {
    return this.items.size;
  }

  itemAt(tx: number, ty: number): ItemEntity | undefined {
    return this.items.get(ty * this.map.width + tx);
  }

  chest(entityId: number): Chest | undefined {
    return this.chestById.get(entityId);
  }

  /** Drops `kind` on the tile (or, if an item lies there, on a free tile next to it; else it replaces that one). */
  drop(world: LootWorld, kind: ItemKind, at: TilePoint): ItemEntity {
    let spot = at;
    if (this.itemAt(at.tx, at.ty)) {
      const free = NEIGHBOURS.map(([dx, dy]) => ({ tx: at.tx + dx, ty: at.ty + dy })).find(
        (t) => !this.map.blocked(t.tx, t.ty) && !this.map.portalAt(t.tx, t.ty) && !this.itemAt(t.tx, t.ty),
      );
      if (free) spot = free;
      else this.take(this.itemAt(at.tx, at.ty) as ItemEntity, world);
    }
    const item = world.spawn("item", { x: tileCentre(spot.tx), y: tileCentre(spot.ty), kind, blinking: false });
    this.items.set(spot.ty * this.map.width + spot.tx, item);
    this.wheel.at(world.time + DROP_BLINK_MS, () => {
      if (item.alive) item.blinking = true;
    });
    this.wheel.at(world.time + DROP_LIFETIME_MS, () => {
      if (item.alive) this.take(item, world);
    });
    return item;
  }

  /** Removes an item from the ground (picked up or expired). */
  take(item: ItemEntity, world: Pick<LootWorld, "despawn">): void {
    const cell = this.cellOf(item);
    if (this.items.get(cell) === item) this.items.delete(cell);
    world.despawn(item);
  }

  /** Opens a chest: one item of its list drops on its tile. Null if it is empty. */
  open(world: LootWorld, chest: Chest): ItemEntity | null {
    const entity = chest.entity;
    if (!entity || entity.open) return null;
    const item = this.drop(world, world.rng.pick(chest.spot.items), chest.spot);
    if (chest.spot.area === null) {
      entity.open = true;
      this.wheel.at(world.time + CHEST_REFILL_MS, () => {
        if (chest.entity === entity) entity.open = false;
      });
    } else {
      this.chestById.delete(entity.id);
      world.despawn(entity);
      chest.entity = null;
    }
    return item;
  }

  /** Every mob of `area` is dead: its chest appears (if it has one and it is not standing already). */
  areaCleared(world: LootWorld, area: string): void {
    for (const chest of this.chests) if (chest.spot.area === area && !chest.entity) this.showChest(world, chest);
  }

  private showChest(world: LootWorld, chest: Chest): void {
    chest.entity = world.spawn("chest", { x: tileCentre(chest.spot.tx), y: tileCentre(chest.spot.ty), open: false });
    this.chestById.set(chest.entity.id, chest);
  }

  private cellOf(item: ItemEntity): number {
    return tileOf(item.y) * this.map.width + tileOf(item.x);
  }
}

const NEIGHBOURS = [
  [0, 1],
  [1, 0],
  [0, -1],
  [-1, 0],
] as const;
