/**
 * Completion defaults that the VS Code side needs before the engine is loaded (the engine pulls
 * in the tokenizer, which is imported lazily to keep activation fast).
 */

/** A small local coder model with the Ollama `insert` capability: fast on a laptop CPU (~1 GB). */
export const DEFAULT_COMPLETION_MODEL = 'ollama/qwen2.5-coder:1.5b';
