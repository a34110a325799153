/**
 * The workspace's conversation, persisted in workspaceState so that it survives window reloads
 * (the webview itself is recreated on reload and gets it back in its `init` message). It keeps
 * the snapshots ChatSession gives it at the start and end of each run (TurnBuilder.snapshot()).
 */
import type * as vscode from 'vscode';
import { messageSchemas, type Turn } from '../../shared/messages';

const STATE_KEY = 'switchyard.conversation.v1';
/** Older turns are dropped: workspaceState is loaded on every activation and should stay small. */
export const MAX_TURNS_KEPT = 50;
/** Per answer, text beyond this is cut when saving (the live session keeps all of it). */
const MAX_SAVED_ANSWER_CHARS = 100_000;

export class ConversationStore {
  private loaded: Turn[] | undefined;

  constructor(private readonly state: vscode.Memento) {}

  /**
   * The turns, read and validated on first use (when the panel opens or a prompt is sent), not
   * at activation: validating up to 50 saved turns needs the message schemas (issue 3).
   */
  get turns(): Turn[] {
    return (this.loaded ??= this.load());
  }

  private load(): Turn[] {
    // Saved data from an older or broken version is dropped turn by turn, never fatal.
    const saved = this.state.get<unknown>(STATE_KEY);
    const { turn: turnSchema } = messageSchemas();
    const turns = Array.isArray(saved)
      ? saved.flatMap((t) => {
          const parsed = turnSchema.safeParse(t);
          return parsed.success ? [parsed.data] : [];
        })
      : [];
    // A turn that was streaming when the window closed is over.
    for (const turn of turns) {
      turn.done = true;
      for (const answer of turn.answers) if (answer.status === 'streaming') answer.status = 'cancelled';
    }
    return turns;
  }

  /**
   * Keeps this snapshot of a turn (replacing the older one of the same turn). Snapshots only:
   * the live turn belongs to its TurnBuilder, and nothing here changes a turn once it is kept.
   */
  put(turn: Turn): void {
    const i = this.turns.findIndex((t) => t.id === turn.id);
    if (i >= 0) this.turns[i] = turn;
    else this.turns.push(turn);
    while (this.turns.length > MAX_TURNS_KEPT) this.turns.shift();
  }

  find(id: string): Turn | undefined {
    return this.turns.find((t) => t.id === id);
  }

  last(): Turn | undefined {
    return this.turns[this.turns.length - 1];
  }

  async clear(): Promise<void> {
    this.turns.length = 0;
    await this.save();
  }

  async save(): Promise<void> {
    const trimmed = this.turns.map((turn) => ({
      ...turn,
      answers: turn.answers.map((a) => {
        // A cut is said, never silent: restored, the answer shows "truncated at 0.1 MB".
        const cut = a.text.length > MAX_SAVED_ANSWER_CHARS || a.thinking.length > MAX_SAVED_ANSWER_CHARS;
        return {
          ...a,
          text: a.text.slice(0, MAX_SAVED_ANSWER_CHARS),
          thinking: a.thinking.slice(0, MAX_SAVED_ANSWER_CHARS),
          meta: cut ? { ...a.meta, truncatedAt: Math.min(a.meta.truncatedAt ?? MAX_SAVED_ANSWER_CHARS, MAX_SAVED_ANSWER_CHARS) } : a.meta,
        };
      }),
    }));
    await this.state.update(STATE_KEY, messageSchemas().turn.array().parse(trimmed));
  }
}
