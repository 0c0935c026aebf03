/**
 * The title: the map drifts behind a small form that asks for a name (remembered in this
 * browser), connects through the framework's matchmaker and starts the game once it names a
 * world. Refusals from either step come back here as a message.
 */
import * as Phaser from "phaser";
import { TILE_SIZE } from "../shared/tiles.js";
import { createMapLayers, worldZoom } from "./map-view.js";
import { createPrediction } from "../shared/movement.js";
import { questMap } from "./quest-map.js";
import { connectQuest, nameProblem, rememberName, rememberedName, untilMatched } from "./session.js";

/** Background drift, px per second: slow enough to read as calm. */
const DRIFT_SPEED = 12;

export interface TitleData {
  message?: string;
}

export class TitleScene extends Phaser.Scene {
  private message = "";
  private busy = false;

  constructor() {
    super("title");
  }

  init(data: TitleData): void {
    this.message = data.message ?? "";
    this.busy = false;
  }

  create(): void {
    // `?name=` plays straight away (links, tests, the load-time measurement); not after a refusal.
    const auto = this.message === "" ? new URLSearchParams(location.search).get("name") : null;
    if (auto === null) this.showBackground();
    this.showForm(auto);
  }

  /** The map, drifting slowly behind the form. */
  private showBackground(): void {
    const { tilemap } = createMapLayers(this);
    const camera = this.cameras.main;
    camera.setBounds(0, 0, tilemap.widthInPixels, tilemap.heightInPixels);
    const fit = () => camera.setZoom(worldZoom(this.scale.width, this.scale.height));
    fit();
    this.scale.on("resize", fit);
    this.events.once("shutdown", () => this.scale.off("resize", fit));
    // Start over the village (the map's middle) and drift east-south-east.
    camera.centerOn(tilemap.widthInPixels / 2, tilemap.heightInPixels / 2 - 20 * TILE_SIZE);
    let x = camera.scrollX;
    let y = camera.scrollY;
    this.events.on("update", (_time: number, delta: number) => {
      x += (DRIFT_SPEED * delta) / 1000;
      y += (DRIFT_SPEED * 0.35 * delta) / 1000;
      camera.setScroll(Math.round(x), Math.round(y));
    });
  }

  private showForm(auto: string | null): void {
    const form = document.querySelector<HTMLFormElement>("#title")!;
    const input = form.querySelector<HTMLInputElement>("input[name=name]")!;
    const button = form.querySelector<HTMLButtonElement>("button")!;
    const status = form.querySelector<HTMLElement>(".status")!;
    form.hidden = false;
    input.value = input.value || rememberedName();
    status.textContent = this.message;
    status.dataset.kind = this.message ? "error" : "";
    button.disabled = false;
    input.focus();
    form.onsubmit = (event) => {
      event.preventDefault();
      if (this.busy) return;
      const name = input.value.trim();
      const problem = nameProblem(name);
      if (problem !== null) {
        status.textContent = problem;
        status.dataset.kind = "error";
        return;
      }
      this.busy = true;
      button.disabled = true;
      status.textContent = "Finding a world...";
      status.dataset.kind = "";
      rememberName(name);
      const client = connectQuest(name, createPrediction(questMap(this)));
      untilMatched(client).then(
        () => {
          performance.mark("quest:matched");
          form.hidden = true;
          this.scene.start("game", { client });
        },
        (error: Error) => {
          this.busy = false;
          button.disabled = false;
          status.textContent = error.message;
          status.dataset.kind = "error";
        },
      );
    };
    if (auto !== null) {
      input.value = auto;
      form.requestSubmit();
    }
  }
}
