/**
 * Keeps one worker's sends under its share of the SES sending rate: each send waits until
 * 1/rate seconds have passed since the previous one. Throttling would be retried anyway, but pacing
 * avoids spending retries (and Lambda time) on it.
 */
export class SendPacer {
  private nextAt = 0;

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    if (!(perSecond > 0)) throw new RangeError(`send rate must be positive, got ${perSecond}`);
  }

  async pace(): Promise<void> {
    const now = this.now();
    const wait = this.nextAt - now;
    this.nextAt = Math.max(now, this.nextAt) + 1000 / this.perSecond;
    if (wait > 0) await this.sleep(wait);
  }
}
