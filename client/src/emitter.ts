// biome-ignore lint/suspicious/noExplicitAny: listener parameter lists vary per event.
type EventMap<E> = { [K in keyof E]: (...args: any[]) => void };

/**
 * A small typed event emitter. A listener that throws does not stop the others nor the
 * client's message loop: the throw goes to `onListenerError`.
 */
export class Emitter<Events extends EventMap<Events>> {
  private readonly listeners = new Map<keyof Events, Events[keyof Events][]>();

  constructor(private readonly onListenerError: (error: unknown, event: keyof Events) => void) {}

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof Events>(event: K, listener: Events[K]): () => void {
    let list = this.listeners.get(event);
    if (!list) {
      list = [];
      this.listeners.set(event, list);
    }
    list.push(listener);
    return () => this.off(event, listener);
  }

  /** Whether the event has a listener now. */
  has(event: keyof Events): boolean {
    return (this.listeners.get(event)?.length ?? 0) > 0;
  }

  off<K extends keyof Events>(event: K, listener: Events[K]): void {
    const list = this.listeners.get(event);
    if (!list) return;
    const index = list.indexOf(listener);
    // Copy on removal so an emit in progress keeps iterating the list it started with.
    if (index >= 0) this.listeners.set(event, [...list.slice(0, index), ...list.slice(index + 1)]);
  }

  /**
   * Calls the event's listeners. Events carry at most two arguments, passed positionally so
   * an emit allocates no argument array (it runs per entity per snapshot).
   */
  readonly emit = ((event: keyof Events, first?: unknown, second?: unknown): void => {
    const list = this.listeners.get(event);
    if (!list) return;
    for (let i = 0; i < list.length; i++) {
      try {
        (list[i] as (first: unknown, second: unknown) => void)(first, second);
      } catch (error) {
        this.onListenerError(error, event);
      }
    }
  }) as unknown as <K extends keyof Events>(event: K, ...args: Parameters<Events[K]>) => void;
}
