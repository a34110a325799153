/**
 * What the extension-host side of a test run (test/extension/index.ts, bench entries) and the
 * runner outside VS Code (extensionHost.ts) agree on. Kept free of imports so that bundling it
 * into the extension host pulls nothing else in.
 */

/** Env var naming the JSON file where the in-host entry writes its counts. */
export const RESULTS_FILE_ENV = 'SWITCHYARD_EXTENSION_TEST_RESULTS';

/** What the in-host entry writes to that file. */
export interface ExtensionHostResults {
  passed: number;
  failed: number;
  /** Test files found; 0 means discovery broke, which fails the run. */
  files?: number;
  /** Free-form numbers from benchmark entries (e.g. activation milliseconds). */
  measurements?: Record<string, number>;
}
