/**
 * What the panel tells the user about a link in model output before they click it. Model output
 * is untrusted: a link's text can read like one site while it points at another, or its target
 * can be a homoglyph domain ("аpple.com" with a Cyrillic а is xn--pple-43d.com). Pure (WHATWG URL
 * only), so it is unit-tested under Node.
 */

/** Only these URL schemes are links at all; anything else stays text. */
const SAFE_LINK = /^(https?:|mailto:)/i;

export interface LinkInfo {
  /** The target as the host will open it (the URL parser's form: hosts in punycode). */
  href: string;
  /** The host, in its ASCII (punycode) form; empty for mailto:. */
  host: string;
  /** A label of the host is punycode (xn--): the name may imitate another with look-alike letters. */
  punycode: boolean;
  /** The link's text names a URL or domain other than the target's. */
  mismatch: boolean;
}

/** undefined: not a link the panel opens (javascript:, data:, file:, unparsable). */
export function describeLink(href: string, text: string): LinkInfo | undefined {
  if (!SAFE_LINK.test(href)) return undefined;
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return undefined;
  }
  const host = url.protocol === 'mailto:' ? '' : url.hostname;
  const punycode = host.split('.').some((label) => label.startsWith('xn--'));
  const named = domainsNamedIn(text);
  const mismatch = host !== '' && named.some((d) => !sameSite(d, host));
  return { href: url.href, host, punycode, mismatch };
}

/**
 * A URL with a scheme or "www.", or a whole text that is a bare domain ("paypal.com"): what a
 * reader takes for the link's destination. A domain inside a sentence ("see README.md") is not
 * taken as one: too many file names look like domains.
 */
const URL_IN_TEXT = /(?:[a-z][a-z0-9+.-]*:\/\/|www\.)[^\s/?#<>"']+/giu;
const BARE_DOMAIN = /^(?:[\p{L}\p{N}-]+\.)+[\p{L}]{2,}\.?(?:[/:?#]\S*)?$/u;

function domainsNamedIn(text: string): string[] {
  const found: string[] = [];
  const trimmed = text.trim();
  for (const m of trimmed.matchAll(URL_IN_TEXT)) {
    const host = asciiHost(m[0].replace(/^[a-z][a-z0-9+.-]*:\/\//i, ''));
    if (host) found.push(host);
  }
  if (found.length === 0 && BARE_DOMAIN.test(trimmed)) {
    const host = asciiHost(trimmed);
    if (host) found.push(host);
  }
  return found;
}

/** The host part of "host[:port][/…]", as the URL parser writes it (lower case, punycode). */
function asciiHost(hostAndMore: string): string | undefined {
  const host = hostAndMore.split(/[/:?#@]/)[0] ?? '';
  try {
    return new URL(`http://${host}`).hostname;
  } catch {
    return undefined;
  }
}

/** Same site for a reader: equal once a leading "www." is dropped. */
function sameSite(a: string, b: string): boolean {
  const strip = (h: string) => h.replace(/^www\./, '').replace(/\.$/, '');
  return strip(a) === strip(b);
}
