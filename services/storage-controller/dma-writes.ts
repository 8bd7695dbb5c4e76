/**
 * A write whose data is in a blade's shared memory (services/sas/dma.ts): the controller claims
 * the slot, then the write goes through the same checks, store and metrics as one that carried
 * its bytes. The store gives the slot back once its batch is written (store.ts); a write refused
 * before the store (a definite error: reservation conflict, abandoned task, range) gives it back
 * here. After an indefinite failure the store may still be writing from it, so it stays claimed:
 * the blade takes it back once this process is gone. A slot the blade withdrew is ABORTED.
 */
import { DcboxError } from '../actor/errors.js';
import { type DmaWindows, releaseDmaView } from '../sas/dma.js';

interface Write {
  data: Buffer;
  dma?: boolean;
}

export async function writeThrough<W extends Write, T>(
  windows: DmaWindows | null,
  req: W,
  write: (req: W) => Promise<T>,
): Promise<T> {
  if (!req.dma) return write(req);
  if (!windows) throw new DcboxError('DMA_REFUSED', 'this storage controller takes no shared-memory writes');
  const data = windows.claim(req.data);
  try {
    return await write({ ...req, data, dma: false });
  } catch (err) {
    if (err instanceof DcboxError && err.definite) releaseDmaView(data);
    throw err;
  }
}
