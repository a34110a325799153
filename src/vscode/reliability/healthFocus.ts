/**
 * Health checks pause while VS Code is hidden or idle: the checker (src/core/reliability/
 * health.ts) runs only while this window has focus. Started after activation (never during it,
 * so bench:activation is unchanged), and stopped with the returned disposable.
 */
import * as vscode from 'vscode';
import type { HealthChecker } from '../../core/reliability/health';

/** Delay after activation before the checker starts: activation must not get slower (bench:activation). */
const START_AFTER_ACTIVATION_MS = 5_000;

export function runHealthChecksWhileFocused(checker: Pick<HealthChecker, 'start' | 'stop' | 'pause' | 'resume'>): vscode.Disposable {
  const apply = (focused: boolean) => (focused ? checker.resume() : checker.pause());
  const timer = setTimeout(() => {
    apply(vscode.window.state.focused);
    checker.start();
  }, START_AFTER_ACTIVATION_MS);
  timer.unref?.();
  const sub = vscode.window.onDidChangeWindowState((s) => apply(s.focused));
  return new vscode.Disposable(() => {
    clearTimeout(timer);
    sub.dispose();
    checker.stop();
  });
}
