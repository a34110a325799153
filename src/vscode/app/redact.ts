/**
 * Makes log fields safe to write: pure, so its rules are unit-tested without VS Code.
 */

/** Field names that carry credentials; their values are never written. */
const SECRET_FIELD = /^(api[-_]?key|x-api-key|x-goog-api-key|authorization|secret|password|key|token|access[-_]?token|bearer)$/i;
/** Field names that carry prompt or answer text; written only when the user opted in. */
const TEXT_FIELD = /^(prompt|messages|text|content|answer|outputText|system|selection|question)$/i;
/** Keeps one log line readable; longer strings are cut. */
const MAX_STRING_CHARS = 2_000;
/** Nesting below this is summarized; the router's objects are shallow. */
const MAX_DEPTH = 6;

export interface RedactOptions {
  logPrompts: boolean;
  /** Exact key values to scrub wherever they appear (e.g. inside an error message). */
  secrets: ReadonlySet<string>;
}

/** Returns the fields as one JSON string with secrets removed and prompt text elided. */
export function redactFields(fields: Record<string, unknown>, options: RedactOptions): string {
  const seen = new WeakSet<object>();
  const walk = (value: unknown, name: string, depth: number): unknown => {
    if (SECRET_FIELD.test(name)) return '[redacted]';
    if (!options.logPrompts && TEXT_FIELD.test(name) && value !== undefined) {
      return `[${textLength(value)} chars]`;
    }
    if (typeof value === 'string') return scrub(value, options.secrets);
    if (value instanceof Error) return scrub(`${value.name}: ${value.message}`, options.secrets);
    if (!value || typeof value !== 'object') return value;
    if (seen.has(value)) return '[circular]';
    if (depth >= MAX_DEPTH) return '[…]';
    seen.add(value);
    if (Array.isArray(value)) return value.map((item) => walk(item, name, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = walk(v, k, depth + 1);
    return out;
  };
  return JSON.stringify(walk(fields, '', 0));
}

function scrub(text: string, secrets: ReadonlySet<string>): string {
  let out = text.length > MAX_STRING_CHARS ? `${text.slice(0, MAX_STRING_CHARS)}…` : text;
  for (const secret of secrets) {
    // Short strings would redact ordinary words; real keys are long.
    if (secret.length >= 8) out = out.split(secret).join('[redacted]');
  }
  // Bearer headers that slipped into a message.
  return out.replace(/Bearer\s+[A-Za-z0-9._~+/=-]{8,}/g, 'Bearer [redacted]');
}

function textLength(value: unknown): number {
  if (typeof value === 'string') return value.length;
  if (Array.isArray(value)) return value.reduce<number>((n, v) => n + textLength(v), 0);
  if (value && typeof value === 'object' && 'content' in value) return textLength((value as { content: unknown }).content);
  return 0;
}
