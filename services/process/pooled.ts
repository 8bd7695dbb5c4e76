/**
 * A bounded pool over a list, for tools that drive a running system from outside (the chaos
 * read-back, the scale session's operator): at most `width` calls of `f` in flight, each item
 * taken once, in order, the results where their items were.
 */
export async function mapPooled<T, R>(
  items: readonly T[],
  width: number,
  f: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await f(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.max(0, Math.min(width, items.length)) }, worker));
  return out;
}
