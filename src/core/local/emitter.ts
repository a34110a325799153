/**
 * A minimal event emitter shaped like `vscode.Event<T>` (a function that takes a listener and
 * returns a disposable), so src/core stays free of `vscode` while VS Code adapters can pass our
 * events straight to APIs that expect theirs.
 */
export interface Disposable {
  dispose(): void;
}

export type Event<T> = (listener: (e: T) => void) => Disposable;

export class Emitter<T> {
  private listeners = new Set<(e: T) => void>();

  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  fire(value: T): void {
    // Copy first: a listener may dispose itself (or another) while we iterate.
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch {
        // One faulty listener (a UI that was torn down) must not stop the others or the sidecar.
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}
