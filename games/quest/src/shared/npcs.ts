/** Quest's villagers and what they say, line by line (`talk` → `say`). `npc.kind` indexes `NPC_KINDS` (append only). */
export const NPC_KINDS = ["elder", "smith", "innkeeper", "guard", "fisher", "hermit", "miner"] as const;
export type NpcKind = (typeof NPC_KINDS)[number];

export const NPC_LINES: Readonly<Record<NpcKind, readonly string[]>> = {
  elder: ["Welcome to the village, traveller.", "Rats in the fields, crabs on the beach, worse in the woods.", "They say something old sleeps at the bottom of the cave.", "Come back alive."],
  smith: ["Mind the sparks.", "Better blades come off the beasts than out of my forge these days.", "Walk over a weapon to take it, if it beats yours."],
  innkeeper: ["A room? All full, sorry.", "Burgers mend you better than flasks do.", "Drink a fire potion and nothing touches you for a while."],
  guard: ["Stay on the roads.", "Goblins and bats in the Oakwood. Skeletons in the Pinewood.", "If you fall, you wake at the last place you rested."],
  fisher: ["Nothing biting today.", "The crabs took my bait, and my boots.", "Kill every one of them on a stretch of sand and the sea gives something back."],
  hermit: ["Leave me be.", "Ogres in the foothills. Big, slow, and they see you coming.", "...", "Fine. The cave mouth is north-east."],
  miner: ["Turn back!", "Spectres, knights that will not die, and below them the worst of all.", "I left a chest down here. Take what's in it; I'm not going back."],
};

export function isNpcKind(value: unknown): value is NpcKind {
  return typeof value === "string" && (NPC_KINDS as readonly string[]).includes(value);
}
