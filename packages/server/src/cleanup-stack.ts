/**
 * What a start has opened, to be closed in reverse: like the TC39 AsyncDisposableStack,
 * small enough to read. `startBoard` defers each close the moment the thing exists, so a
 * start that fails half way closes exactly what it had opened, and `stop()` is the same
 * stack run to the end; a new part adds one line, `stack.defer(() => part.close())`.
 */
export class CleanupStack {
  private readonly steps: Array<() => unknown> = [];
  private disposing: Promise<void> | undefined;

  /** Run `step` at dispose time, before everything deferred earlier. */
  defer(step: () => unknown): void {
    if (this.disposing) throw new Error('CleanupStack: defer() after dispose()');
    this.steps.push(step);
  }

  get size(): number {
    return this.steps.length;
  }

  /**
   * Runs every step, last deferred first, each awaited. A step that throws does not stop
   * the rest; the first error is rethrown at the end (an AggregateError when several
   * failed). Idempotent: a second call returns the first call's promise.
   */
  dispose(): Promise<void> {
    this.disposing ??= (async () => {
      const errors: unknown[] = [];
      while (this.steps.length > 0) {
        const step = this.steps.pop()!;
        try {
          await step();
        } catch (err) {
          errors.push(err);
        }
      }
      if (errors.length === 1) throw errors[0];
      if (errors.length > 1) throw new AggregateError(errors, `${errors.length} cleanup steps failed`);
    })();
    return this.disposing;
  }
}
