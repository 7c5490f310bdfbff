/**
 * A size-bounded least-recently-used map. `size(value)` is the cost charged against `budget`.
 * Recency is tracked lazily: a hit moves its entry to the young end only when the entry is in the
 * older half (by operations since it was last moved), so hot entries cost one Map lookup per hit.
 */
export class Lru<K, V> {
  private readonly map = new Map<K, { value: V; cost: number; stamp: number }>();
  private used = 0;
  private clock = 0;

  constructor(
    private readonly budget: number,
    private readonly size: (value: V) => number,
  ) {}

  get(key: K): V | undefined {
    const hit = this.map.get(key);
    if (!hit) return undefined;
    const now = ++this.clock;
    if (now - hit.stamp >= this.map.size / 2) {
      this.map.delete(key);
      this.map.set(key, hit);
      hit.stamp = now;
    }
    return hit.value;
  }

  set(key: K, value: V): void {
    const old = this.map.get(key);
    if (old) {
      this.used -= old.cost;
      this.map.delete(key);
    }
    const cost = this.size(value);
    if (cost > this.budget) return;
    this.map.set(key, { value, cost, stamp: ++this.clock });
    this.used += cost;
    while (this.used > this.budget) {
      const first = this.map.keys().next();
      if (first.done) break;
      this.used -= this.map.get(first.value)!.cost;
      this.map.delete(first.value);
    }
  }

  get bytes(): number {
    return this.used;
  }

  get count(): number {
    return this.map.size;
  }

  clear(): void {
    this.map.clear();
    this.used = 0;
  }
}
