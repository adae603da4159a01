/**
 * Runs work for many customers side by side while keeping each customer's items in order: items of
 * one customer share a partition and would only fight over its optimistic locks.
 */
export async function forEachCustomer<T>(
  items: readonly T[],
  customerOf: (item: T) => string,
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = customerOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  const queue = [...groups.values()];
  let next = 0;
  const worker = async () => {
    while (next < queue.length) {
      const group = queue[next++] as T[];
      for (const item of group) await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, queue.length)) }, worker));
}
