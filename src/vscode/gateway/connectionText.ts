/**
 * What "Copy Base URL and Token" puts on the clipboard: two lines in the form every OpenAI SDK
 * and most tools read from the environment or a .env file, so pasting them is the whole set-up.
 * Plain TS (no vscode import) so that it is unit-tested and parsed back by the extension test.
 */
export function connectionText(url: string, token: string): string {
  return `OPENAI_BASE_URL=${url}/v1\nOPENAI_API_KEY=${token}\n`;
}

/** The base URL and token out of connectionText's lines (tests, and anyone scripting the clipboard). */
export function parseConnectionText(text: string): { baseURL: string; apiKey: string } | undefined {
  const baseURL = /^OPENAI_BASE_URL=(\S+)$/m.exec(text)?.[1];
  const apiKey = /^OPENAI_API_KEY=(\S+)$/m.exec(text)?.[1];
  return baseURL && apiKey ? { baseURL, apiKey } : undefined;
}
