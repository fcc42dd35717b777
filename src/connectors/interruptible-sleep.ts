/** A timer a source waits on between polls, which `close()` can cut short so `next()` resolves promptly. */
export class InterruptibleSleep {
  private wake: (() => void) | undefined;

  /** Resolves after `ms`, or at once when {@link interrupt} is called meanwhile. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  /** Ends the current sleep, if any. */
  interrupt(): void {
    this.wake?.();
  }
}
