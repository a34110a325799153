/**
 * Ollama versions and the features each one brings. Dates and numbers come from the Ollama
 * release notes as summarised in shared/docs/provider-wire-reference.md §1.
 */

export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  /** "rc1" in "0.13.0-rc1"; a pre-release sorts before its release. */
  pre?: string;
}

export function parseVersion(text: string): SemVer | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?/.exec(text.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0), ...(m[4] ? { pre: m[4] } : {}) };
}

export function compareVersions(a: SemVer, b: SemVer): number {
  const d = a.major - b.major || a.minor - b.minor || a.patch - b.patch;
  if (d !== 0) return d;
  if (a.pre === b.pre) return 0;
  if (a.pre === undefined) return 1;
  if (b.pre === undefined) return -1;
  return a.pre < b.pre ? -1 : 1;
}

/** Minimum server version for each feature Switchyard may use. */
export const FEATURE_MIN_VERSION = {
  /** `suffix` on /api/generate (fill-in-the-middle), needs the model capability "insert". */
  fim: '0.2.6',
  /** `stream_options.include_usage` on the OpenAI-compatible /v1 endpoint. */
  openaiStreamUsage: '0.5.2',
  /** `think: true|false` on /api/chat and /api/generate. */
  thinking: '0.9.0',
  /** `think: "low"|"medium"|"high"` levels. */
  thinkingLevels: '0.11.0',
  /** `logprobs` / `top_logprobs` on /api/chat and /api/generate. */
  logprobs: '0.12.11',
} as const;

export type OllamaFeature = keyof typeof FEATURE_MIN_VERSION;
export type OllamaFeatures = Record<OllamaFeature, boolean>;

/**
 * Which features a server of this version has. Ollama built from source reports "0.0.0"; such a
 * build is current code, so it gets every feature rather than none. An unparsable version gets none.
 */
export function featuresForVersion(version: string | undefined): OllamaFeatures {
  const v = version === undefined ? undefined : parseVersion(version);
  const devBuild = v !== undefined && v.major === 0 && v.minor === 0 && v.patch === 0;
  const out = {} as OllamaFeatures;
  for (const [feature, min] of Object.entries(FEATURE_MIN_VERSION) as [OllamaFeature, string][]) {
    out[feature] = v !== undefined && (devBuild || compareVersions(v, parseVersion(min)!) >= 0);
  }
  return out;
}

/** Model capability words from /api/show that a feature also needs. */
const FEATURE_CAPABILITY: Partial<Record<OllamaFeature, string>> = {
  fim: 'insert',
  thinking: 'thinking',
  thinkingLevels: 'thinking',
};

/**
 * Features one model can use on one server: the server must be new enough and, where it matters,
 * the model must declare the capability. Without capabilities (old servers do not report them)
 * only the version decides.
 */
export function featuresForModel(version: string | undefined, capabilities: string[] | undefined): OllamaFeatures {
  const out = featuresForVersion(version);
  if (!capabilities) return out;
  for (const [feature, capability] of Object.entries(FEATURE_CAPABILITY) as [OllamaFeature, string][]) {
    out[feature] = out[feature] && capabilities.includes(capability);
  }
  return out;
}
