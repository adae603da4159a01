/** The only source of "now". Lambda uses the wall clock; the simulator moves a virtual one. */
export interface Clock {
  now(): string;
}

export const systemClock: Clock = {
  now: () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
};

export class VirtualClock implements Clock {
  constructor(private current: string) {}
  now(): string {
    return this.current;
  }
  set(instant: string): void {
    if (Date.parse(instant) < Date.parse(this.current))
      throw new RangeError(`clock cannot go back to ${instant}`);
    this.current = new Date(Date.parse(instant)).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
}
