/**
 * Runs `task` over `items` with at most `limit` in flight. Creating and deleting files can block on the disk
 * (inode allocation; here 0.2-1 ms each): such calls go to the thread pool, several at once, where they wait in
 * parallel and cost the event loop ~25 µs each, instead of holding it for their whole duration.
 * `items` may be produced as the tasks run (an async listing). Rejects with the first failure, once every task
 * started has settled.
 */
export async function forEachBounded<T>(
  items: Iterable<T> | AsyncIterable<T>,
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  const running = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  for await (const item of items) {
    if (failure) break;
    const run: Promise<void> = task(item).then(
      () => void running.delete(run),
      (error: unknown) => {
        running.delete(run);
        failure ??= { error };
      },
    );
    running.add(run);
    if (running.size >= limit) await Promise.race(running);
  }
  await Promise.all(running);
  if (failure) throw failure.error;
}
