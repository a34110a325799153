// Preloaded into a spawned CLI (with --expose-gc) by the stall tests: a full GC every few
// milliseconds, so whatever is held only weakly (Node's fetch keeps its Request's abort link
// through a WeakRef) is collected while the answer stalls, as a long-running process's GC would.
const GC_EVERY_MS = 20;
if (typeof global.gc === 'function') setInterval(() => global.gc(), GC_EVERY_MS).unref();
