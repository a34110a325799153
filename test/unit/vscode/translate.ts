/** vscode.l10n.t without a bundle: the English text with its {n} placeholders filled in. */
export function english(message: string, ...args: (string | number)[]): string {
  return message.replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i)]));
}
