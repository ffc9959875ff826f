/**
 * What a session must undo when it ends, registered by whichever part acquired it (a
 * connection listener, a bus subscription, a timer, an open view, a waiting until()),
 * and run newest first, once. Teardown is then one call, not a hand-written list.
 */
export class DisposerStack {
  private readonly fns = new Set<() => void>();
  private done = false;

  constructor(private readonly onError: (err: unknown) => void) {}

  get disposed(): boolean {
    return this.done;
  }

  /**
   * Run `fn` when the stack is disposed (at once when it already was). Returns a
   * function that unregisters `fn` without running it; it reports whether `fn` was
   * still registered, so a caller releasing early knows it owns the release.
   */
  defer(fn: () => void): () => boolean {
    if (this.done) {
      this.run(fn);
      return () => false;
    }
    const entry = (): void => fn();
    this.fns.add(entry);
    return () => this.fns.delete(entry);
  }

  /**
   * `release` is what undoes something just acquired (a listener, a subscription): it
   * runs at disposal, or once when the returned function is called first.
   */
  hold(release: () => void): () => void {
    const remove = this.defer(release);
    return () => {
      if (remove()) release();
    };
  }

  /** Run every registered function, newest first; one that throws does not stop the rest. */
  dispose(): void {
    if (this.done) return;
    this.done = true;
    const all = [...this.fns].reverse();
    this.fns.clear();
    for (const fn of all) this.run(fn);
  }

  private run(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.onError(err);
    }
  }
}
