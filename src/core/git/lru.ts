/**
 * A size-bounded least-recently-used map. `size(value)` is the cost charged against `budget`.
 * A Map for lookups plus a doubly linked list for the order: evicting never iterates the Map
 * (iterating a Map from the front after many deletions skips over their holes).
 */
interface Node<K, V> {
  key: K;
  value: V;
  cost: number;
  prev: Node<K, V> | null;
  next: Node<K, V> | null;
}

export class Lru<K, V> {
  private readonly map = new Map<K, Node<K, V>>();
  private head: Node<K, V> | null = null; // least recently used
  private tail: Node<K, V> | null = null; // most recently used
  private used = 0;

  constructor(
    private readonly budget: number,
    private readonly size: (value: V) => number,
  ) {}

  get(key: K): V | undefined {
    const node = this.map.get(key);
    if (!node) return undefined;
    if (node !== this.tail) {
      this.unlink(node);
      this.append(node);
    }
    return node.value;
  }

  set(key: K, value: V): void {
    const old = this.map.get(key);
    if (old) {
      this.used -= old.cost;
      this.unlink(old);
      this.map.delete(key);
    }
    const cost = this.size(value);
    if (cost > this.budget) return;
    const node: Node<K, V> = { key, value, cost, prev: null, next: null };
    this.map.set(key, node);
    this.append(node);
    this.used += cost;
    while (this.used > this.budget && this.head) {
      const first = this.head;
      this.unlink(first);
      this.map.delete(first.key);
      this.used -= first.cost;
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
    this.head = this.tail = null;
    this.used = 0;
  }

  private unlink(n: Node<K, V>): void {
    if (n.prev) n.prev.next = n.next;
    else this.head = n.next;
    if (n.next) n.next.prev = n.prev;
    else this.tail = n.prev;
    n.prev = n.next = null;
  }

  private append(n: Node<K, V>): void {
    n.prev = this.tail;
    if (this.tail) this.tail.next = n;
    else this.head = n;
    this.tail = n;
  }
}
