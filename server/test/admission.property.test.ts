/**
 * Issue 10 point 1, as a property: whatever players do (join, leave, drop, resume, expire,
 * get kicked), a world admits exactly capacity − players held new players.
 */
import { CloseCode } from "@tickwire/engine";
import { MsgType, type WelcomeMessage } from "@tickwire/engine/wire";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FakeClient } from "./helpers/fake-socket.js";
import { type TestSchema, testGame } from "./helpers/games.js";
import { manualWorld } from "./helpers/world.js";

const CAPACITY = 6;
const RESUME_GRACE_MS = 1_000;
const ADDRESSES = ["10.0.0.1", "10.0.0.2", "10.0.0.3"];

type Op =
  | { kind: "join"; address: number }
  | { kind: "leave"; client: number }
  | { kind: "drop"; client: number; code: number }
  | { kind: "resume"; client: number; address: number }
  | { kind: "kick"; client: number }
  | { kind: "expire" }
  | { kind: "tick" };

const client = fc.nat(20);
const address = fc.nat(ADDRESSES.length - 1);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("join" as const), address }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("leave" as const), client }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("drop" as const),
      client,
      code: fc.constantFrom(CloseCode.Abnormal, CloseCode.GoingAway, 4004, 4999, CloseCode.MessageTooBig),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("resume" as const), client, address }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("kick" as const), client }) },
  { weight: 1, arbitrary: fc.constant({ kind: "expire" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "tick" as const }) },
);

function welcomeOf(fake: FakeClient<TestSchema>): WelcomeMessage | undefined {
  return fake.drain().find((m): m is WelcomeMessage => m.type === MsgType.Welcome);
}

describe("World admission (property)", () => {
  it("after any sequence of joins, leaves, drops, resumes, expiries and kicks, admits exactly capacity − players held", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const setup = manualWorld<TestSchema>(testGame({ capacity: CAPACITY }), {
          resumeGraceMs: RESUME_GRACE_MS,
          maxWorldSharePerIp: 1,
        });
        const world = setup.world;
        const clients: FakeClient<TestSchema>[] = [];
        const tokens: string[] = [];
        /** The index-th client that is connected to a player, if any. */
        const live = (index: number) => {
          const attached = clients.filter((c) => !c.peer.closed && c.peer.session !== undefined);
          return attached[index % Math.max(1, attached.length)];
        };
        for (const step of ops) {
          switch (step.kind) {
            case "join": {
              const fake = new FakeClient(world, ADDRESSES[step.address]);
              fake.send({ type: MsgType.Join, name: `p${clients.length}` });
              const welcome = welcomeOf(fake);
              if (welcome !== undefined) tokens.push(welcome.resumeToken);
              clients.push(fake);
              break;
            }
            case "leave":
            case "drop": {
              const fake = live(step.client);
              if (fake === undefined) break;
              world.disconnected(fake.peer, step.kind === "leave" ? CloseCode.Normal : step.code);
              break;
            }
            case "resume": {
              if (tokens.length === 0) break;
              const fake = new FakeClient(world, ADDRESSES[step.address]);
              fake.send({ type: MsgType.Resume, token: tokens[step.client % tokens.length], lastEventSeq: 0 });
              clients.push(fake);
              break;
            }
            case "kick": {
              const session = [...world.sessions][step.client % Math.max(1, world.sessions.size)];
              if (session !== undefined) world.kick(session);
              break;
            }
            case "expire":
              setup.now += RESUME_GRACE_MS;
              setup.tick();
              break;
            case "tick":
              setup.tick();
              break;
          }
          const held = world.sessions.size;
          expect(world.openSlots).toBe(CAPACITY - held);
          if (held < CAPACITY) expect(world.admissionRefusal()).toBeUndefined();
        }
        // Fill the world from fresh addresses: exactly the open slots are admitted.
        const open = CAPACITY - world.sessions.size;
        let admitted = 0;
        for (let i = 0; i <= open; i++) {
          const fake = new FakeClient(world, `10.1.0.${i}`);
          fake.send({ type: MsgType.Join, name: `fill${i}` });
          if (welcomeOf(fake) !== undefined) admitted++;
          else expect(fake.socket.ended?.code).toBe(CloseCode.WorldFull);
        }
        expect(admitted).toBe(open);
        expect(world.sessions.size).toBe(CAPACITY);
      }),
      { numRuns: 300 },
    );
  });
});
