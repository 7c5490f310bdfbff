/**
 * The two hand-offs between stages that run at once (see ../pipeline.ts): a bounded FIFO with back-pressure
 * (prepare → tokens) and a keyed gate (chunks → prepare: "commit h is chunked"). Both fail fast: once the
 * producer fails, every waiting and later consumer gets its error.
 */

/** A FIFO between a producer and a consumer: `push` waits while `capacity` items wait, `take` while none does. */
export class BoundedQueue<T> {
  private readonly items: T[] = [];
  private head = 0;
  private error: { e: unknown } | null = null;
  private onItem: (() => void) | null = null;
  private onSpace: (() => void) | null = null;

  /** `capacity` is asked at each push: it may change while the queue runs (Infinity: the producer never waits). */
  constructor(private readonly capacity: () => number) {}

  get size(): number {
    return this.items.length - this.head;
  }

  async push(item: T): Promise<void> {
    while (this.size >= this.capacity()) await new Promise<void>((wake) => (this.onSpace = wake));
    this.items.push(item);
    this.wake();
  }

  async take(): Promise<T> {
    while (this.size === 0) {
      if (this.error) throw this.error.e;
      await new Promise<void>((wake) => (this.onItem = wake));
    }
    const item = this.items[this.head];
    this.items[this.head++] = undefined as T; // the consumer owns it now: not kept alive here
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
    const space = this.onSpace;
    this.onSpace = null;
    space?.();
    return item;
  }

  /** The producer failed: waiting and later `take`s throw `e` once the items before it are taken. */
  fail(e: unknown): void {
    this.error ??= { e };
    this.wake();
  }

  private wake(): void {
    const item = this.onItem;
    this.onItem = null;
    item?.();
  }
}

/** Keys that arrive in any order, awaited one at a time: `wait(k)` resolves once `k` arrived or the producer ended. */
export class Arrivals<K> {
  private readonly arrived = new Set<K>();
  private waiting: { key: K; wake: () => void } | null = null;
  private state: 'open' | 'ended' | { failed: unknown } = 'open';

  arrive(key: K): void {
    this.arrived.add(key);
    if (this.waiting?.key === key) this.waiting.wake();
  }

  has(key: K): boolean {
    return this.arrived.has(key);
  }

  /** True until end() or fail(). */
  get open(): boolean {
    return this.state === 'open';
  }

  /** Resolves once `key` arrived or the producer ended; rejects when it failed. */
  async wait(key: K): Promise<void> {
    while (this.state === 'open' && !this.arrived.has(key)) await new Promise<void>((wake) => (this.waiting = { key, wake }));
    this.waiting = null;
    if (typeof this.state === 'object' && !this.arrived.has(key)) throw this.state.failed;
  }

  end(): void {
    if (this.state === 'open') this.state = 'ended';
    this.waiting?.wake();
  }

  fail(e: unknown): void {
    if (this.state === 'open') this.state = { failed: e };
    this.waiting?.wake();
  }
}
