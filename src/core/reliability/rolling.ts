/**
 * A time-ordered queue with O(1) push and amortised O(1) expiry from the front: arrays' shift()
 * is O(n), and a busy minute holds thousands of entries (bench/guard.ts).
 */
export class Rolling<T extends { at: number }> {
  private items: T[] = [];
  private head = 0;

  push(item: T): void {
    this.items.push(item);
  }

  /** Drops items at or before `cutoff`, calling `onDrop` for each. */
  expire(cutoff: number, onDrop?: (item: T) => void): void {
    while (this.head < this.items.length && this.items[this.head]!.at <= cutoff) {
      onDrop?.(this.items[this.head]!);
      this.head++;
    }
    // Compact once half the array is dead, so memory follows the window, not the history.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  get length(): number {
    return this.items.length - this.head;
  }

  /** The i-th live item, oldest first. */
  at(i: number): T | undefined {
    return this.items[this.head + i];
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }

  values(): T[] {
    return this.items.slice(this.head);
  }
}
