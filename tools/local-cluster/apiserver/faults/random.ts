// mulberry32, a small seeded pseudo-random generator with a 32-bit state. It is fast and good
// enough to decide faults, and a seed always yields the same sequence. Not for cryptography.

/** Returns a generator of numbers in [0, 1) for the seed, which is taken modulo 2^32. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), state | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 2 ** 32;
  };
}
