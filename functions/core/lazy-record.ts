/**
 * A record whose values are built on first read, each once. The event contract holds a schema per
 * event type, and a function parses the few types its rules route to it: building every schema at
 * module start cost every cold start a few milliseconds for types it never sees.
 */
export function lazyRecord<T extends Record<string, unknown>>(builders: { [K in keyof T]: () => T[K] }): T {
  const record = {} as T;
  for (const key of Object.keys(builders) as (keyof T & string)[])
    Object.defineProperty(record, key, {
      enumerable: true,
      configurable: true,
      get() {
        const value = builders[key]();
        // From now on a plain property: later reads cost nothing.
        Object.defineProperty(record, key, { value, enumerable: true, writable: false, configurable: false });
        return value;
      },
    });
  return record;
}

/** The value under `key`, when it is one of the record's own (never `constructor` or `__proto__`). */
export function ownValue<T extends Record<string, unknown>>(record: T, key: string): T[keyof T] | undefined {
  return Object.hasOwn(record, key) ? record[key as keyof T] : undefined;
}

/**
 * Builders that read each value from another lazy record: a record that includes another's keys
 * shares its values (one schema per event type) instead of building a copy of each.
 */
export function readersOf<T extends Record<string, unknown>>(record: T): { [K in keyof T]: () => T[K] } {
  return Object.fromEntries(Object.keys(record).map((key) => [key, () => record[key]])) as {
    [K in keyof T]: () => T[K];
  };
}
