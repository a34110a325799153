/**
 * Direction-control and zero-width characters in model output. They change how text reads
 * without showing themselves (a right-to-left override can make `evil()` look like `live()` in a
 * code block — "Trojan Source"), so the panel shows each as a visible marker, the way VS Code's
 * editor highlights them, and never lets one reach the DOM. Pure, so it is unit-tested under Node.
 */

/** The characters VS Code's editor flags as invisible or bidirectional, with their Unicode names. */
export const INVISIBLE_NAMES: Readonly<Record<number, string>> = {
  0x061c: 'ARABIC LETTER MARK',
  0x180e: 'MONGOLIAN VOWEL SEPARATOR',
  0x200b: 'ZERO WIDTH SPACE',
  0x200c: 'ZERO WIDTH NON-JOINER',
  0x200d: 'ZERO WIDTH JOINER',
  0x200e: 'LEFT-TO-RIGHT MARK',
  0x200f: 'RIGHT-TO-LEFT MARK',
  0x202a: 'LEFT-TO-RIGHT EMBEDDING',
  0x202b: 'RIGHT-TO-LEFT EMBEDDING',
  0x202c: 'POP DIRECTIONAL FORMATTING',
  0x202d: 'LEFT-TO-RIGHT OVERRIDE',
  0x202e: 'RIGHT-TO-LEFT OVERRIDE',
  0x2060: 'WORD JOINER',
  0x2061: 'FUNCTION APPLICATION',
  0x2062: 'INVISIBLE TIMES',
  0x2063: 'INVISIBLE SEPARATOR',
  0x2064: 'INVISIBLE PLUS',
  0x2066: 'LEFT-TO-RIGHT ISOLATE',
  0x2067: 'RIGHT-TO-LEFT ISOLATE',
  0x2068: 'FIRST STRONG ISOLATE',
  0x2069: 'POP DIRECTIONAL ISOLATE',
  0xfeff: 'ZERO WIDTH NO-BREAK SPACE',
};

/**
 * One of them, except a zero-width joiner inside an emoji sequence (👨‍👩‍👧 is three emoji
 * joined by U+200D; marking those would break every family emoji for nothing).
 */
const INVISIBLE = /(?<!\p{Extended_Pictographic}\uFE0F?)\u200D|\u200D(?!\p{Extended_Pictographic})|[\u061C\u180E\u200B\u200C\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/gu;

export function hasInvisible(text: string): boolean {
  INVISIBLE.lastIndex = 0;
  return INVISIBLE.test(text);
}

export function countInvisible(text: string): number {
  return text.match(INVISIBLE)?.length ?? 0;
}

/** "U+202E". */
export function codePointLabel(ch: string): string {
  return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * HTML (already escaped) with each character replaced by an empty marker element; CSS draws its
 * code point. Empty, so the element's text (what Copy, Insert and New file take) has none of them.
 */
export function markInvisibleHtml(escapedHtml: string): string {
  return escapedHtml.replace(INVISIBLE, (ch) => {
    const label = codePointLabel(ch);
    const name = INVISIBLE_NAMES[ch.codePointAt(0)!] ?? '';
    return `<span class="invisible-char" data-cp="${label}" title="${label} ${name}"></span>`;
  });
}

/** Plain text (thinking, image alt text) with each character written out as "⟦U+202E⟧". */
export function showInvisibleText(text: string): string {
  return text.replace(INVISIBLE, (ch) => `⟦${codePointLabel(ch)}⟧`);
}

/** The text without them: what Copy offers. */
export function stripInvisible(text: string): string {
  return text.replace(INVISIBLE, '');
}
