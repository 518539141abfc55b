// Bounded parallelism for the benchmark's set-up work (publishing, fetching, checking).

/** `fn` over `items` with at most `concurrency` calls in flight; results in input order. */
export async function mapConcurrently<T, R>(items: T[], fn: (item: T) => Promise<R>, concurrency = 8): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++
        results[index] = await fn(items[index] as T)
      }
    }),
  )
  return results
}
