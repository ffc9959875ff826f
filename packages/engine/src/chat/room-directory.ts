import type { Bus, Unsubscribe } from '../bus.js';
import type { PresenceEntry } from '../topics.js';

/**
 * The chat views of one process (one bus), with an index of which members each holds, so
 * presence's backstop for missed joins and leaves costs one lookup per update, not one
 * handler per view. Every line a caller says refreshes their idle time (presence.update);
 * in a 500-member room that was 500 handlers per line per process that almost never
 * changed anything (issue 18: 6% of a node's busy time in the fan-out).
 *
 * One presence.update subscription per bus while any view is open. An update is handed
 * to the views (in the order they opened) only when one of them would act on it: a view
 * in the update's room that does not hold the caller yet, or a view in another room that
 * still holds them. A view never acts on its own caller's update.
 */

export interface Member {
  handle: string;
  node: number;
}

/** What a view does with an update the index says may concern it (chat-room.ts). */
export interface PresenceView {
  readonly sessionId: string;
  presenceUpdated(e: PresenceEntry): void;
}

const directories = new WeakMap<Bus, ChatDirectory>();

/** The directory of this bus's process, created with the first view. */
export function chatDirectory(bus: Bus): ChatDirectory {
  let dir = directories.get(bus);
  if (!dir) directories.set(bus, (dir = new ChatDirectory(bus)));
  return dir;
}

export class ChatDirectory {
  private readonly views = new Set<PresenceView>();
  private off: Unsubscribe | undefined;
  /** member session id -> room -> how many views in that room hold them (a view's own caller not counted) */
  private readonly held = new Map<string, Map<string, number>>();
  /** room -> view's session id -> views of that session in the room */
  private readonly viewsIn = new Map<string, Map<string, number>>();

  constructor(private readonly bus: Bus) {}

  /** A view opens; the returned function closes it (its members must be reset to no room first). */
  open(view: PresenceView): () => void {
    this.views.add(view);
    this.off ??= this.bus.subscribe('presence.update', (e) => this.updated(e));
    return () => {
      this.views.delete(view);
      if (this.views.size === 0) {
        this.off?.();
        this.off = undefined;
      }
    };
  }

  /** A view's members list, kept in the index. */
  members(view: PresenceView): RoomMembers {
    return new RoomMembers(this, view.sessionId);
  }

  /** Whether some view would act on this update (see the header); exported for the tests. */
  concerns(e: PresenceEntry): boolean {
    const held = this.held.get(e.sessionId);
    let inRoom = 0;
    if (held) {
      for (const [room, n] of held) {
        if (room !== e.room) return true; // a view elsewhere still holds them
        inRoom = n;
      }
    }
    if (e.room === undefined || e.handle === null) return false;
    const views = this.viewsIn.get(e.room);
    if (!views) return false;
    let others = 0;
    for (const [id, n] of views) if (id !== e.sessionId) others += n;
    return inRoom < others;
  }

  private updated(e: PresenceEntry): void {
    if (!this.concerns(e)) return;
    for (const view of [...this.views]) if (this.views.has(view)) view.presenceUpdated(e);
  }

  /** @internal (RoomMembers) */
  count(member: string, room: string, by: 1 | -1): void {
    let rooms = this.held.get(member);
    if (!rooms) this.held.set(member, (rooms = new Map()));
    const n = (rooms.get(room) ?? 0) + by;
    if (n > 0) rooms.set(room, n);
    else {
      rooms.delete(room);
      if (rooms.size === 0) this.held.delete(member);
    }
  }

  /** @internal (RoomMembers) */
  moved(self: string, from: string | null, to: string | null): void {
    if (from !== null) {
      const views = this.viewsIn.get(from)!;
      const n = views.get(self)! - 1;
      if (n > 0) views.set(self, n);
      else views.delete(self);
      if (views.size === 0) this.viewsIn.delete(from);
    }
    if (to !== null) {
      let views = this.viewsIn.get(to);
      if (!views) this.viewsIn.set(to, (views = new Map()));
      views.set(self, (views.get(self) ?? 0) + 1);
    }
  }
}

/** One view's members (its own caller included), in the room the view is in. */
export class RoomMembers {
  private readonly map = new Map<string, Member>();
  private room: string | null = null;

  constructor(
    private readonly dir: ChatDirectory,
    private readonly self: string,
  ) {}

  /** Empty, in `room` (null: in no room). */
  reset(room: string | null): void {
    if (this.room !== null) for (const id of this.map.keys()) if (id !== this.self) this.dir.count(id, this.room, -1);
    this.map.clear();
    this.dir.moved(this.self, this.room, room);
    this.room = room;
  }

  set(id: string, m: Member): void {
    if (this.room === null) return;
    if (!this.map.has(id) && id !== this.self) this.dir.count(id, this.room, 1);
    this.map.set(id, m);
  }

  delete(id: string): boolean {
    if (!this.map.delete(id)) return false;
    if (id !== this.self && this.room !== null) this.dir.count(id, this.room, -1);
    return true;
  }

  has(id: string): boolean {
    return this.map.has(id);
  }

  get(id: string): Member | undefined {
    return this.map.get(id);
  }

  values(): IterableIterator<Member> {
    return this.map.values();
  }

  entries(): IterableIterator<[string, Member]> {
    return this.map.entries();
  }
}
