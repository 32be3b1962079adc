/**
 * The held-out split, by listing: every chunk of a listing falls on the same side, so evaluation never sees a
 * listing that training saw. Decided by a hash of the listing id, so it is stable across runs and machines
 * and a listing added later does not move the others.
 */
import { sha256Hex } from '../artifacts/hashing';

export function isHeldOut(listingId: string, share: number): boolean {
  if (share <= 0) return false;
  const bucket = Number.parseInt(sha256Hex(`genq-heldout:${listingId}`).slice(0, 8), 16) / 0x1_0000_0000;
  return bucket < share;
}
