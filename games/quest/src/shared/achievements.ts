/**
 * Achievements: earned on the server, announced with an `achievement { id, title }` event
 * and kept with the player's progress (ids, so titles can be reworded).
 */
export interface Achievement {
  readonly id: string;
  readonly title: string;
  readonly description: string;
}

export const ACHIEVEMENTS = [
  { id: "first_blood", title: "First blood", description: "Kill a monster" },
  { id: "rat_catcher", title: "Rat catcher", description: "Kill 10 rats" },
  { id: "hunter", title: "Hunter", description: "Kill 50 monsters" },
  { id: "slayer", title: "Slayer", description: "Kill 200 monsters" },
  { id: "first_loot", title: "Finders keepers", description: "Pick up an item" },
  { id: "armed", title: "Armed", description: "Equip a better weapon" },
  { id: "armored", title: "Armored", description: "Equip better armor" },
  { id: "beachcomber", title: "Beachcomber", description: "Reach the beach" },
  { id: "into_the_woods", title: "Into the woods", description: "Reach the forest" },
  { id: "spelunker", title: "Spelunker", description: "Enter the cave" },
  { id: "survivor", title: "Close call", description: "Win a fight with less than a tenth of your HP left" },
  { id: "comeback", title: "Back on your feet", description: "Respawn after dying" },
  { id: "chatterbox", title: "Good listener", description: "Hear an NPC out to the last line" },
  { id: "treasure", title: "Treasure hunter", description: "Open a chest" },
  { id: "boss", title: "Kingslayer", description: "Defeat the boss" },
] as const satisfies readonly Achievement[];

export type AchievementId = (typeof ACHIEVEMENTS)[number]["id"];

/** Zone kinds whose first visit earns an achievement. */
export const AREA_ACHIEVEMENTS: Readonly<Partial<Record<string, AchievementId>>> = {
  beach: "beachcomber",
  forest: "into_the_woods",
  cave: "spelunker",
};

/** Kill counts that earn an achievement. */
export const KILL_ACHIEVEMENTS: readonly { kills: number; id: AchievementId; kind?: string }[] = [
  { kills: 1, id: "first_blood" },
  { kills: 10, id: "rat_catcher", kind: "rat" },
  { kills: 50, id: "hunter" },
  { kills: 200, id: "slayer" },
];

export function achievementTitle(id: string): string {
  return ACHIEVEMENTS.find((a) => a.id === id)?.title ?? id;
}
