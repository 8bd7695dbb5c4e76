/**
 * Decoders that read straight into their own buffers (net's `onread` way: "give me a buffer",
 * "n bytes landed") also take the chunks a plain stream delivers: this copies such a chunk
 * piece by piece into the buffers the decoder offers.
 */

/** Copies `chunk` into `buffer()` in turn, calling `took(n)` after each piece; `false` stops. */
export function feedInPieces(
  chunk: Buffer,
  buffer: () => Buffer,
  took: (n: number) => boolean | undefined,
): void {
  let at = 0;
  while (at < chunk.length) {
    const into = buffer();
    const n = Math.min(into.length, chunk.length - at);
    chunk.copy(into, 0, at, at + n);
    at += n;
    if (took(n) === false) return;
  }
}
