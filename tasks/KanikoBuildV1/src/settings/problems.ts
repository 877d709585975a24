import { loc } from '../messages';

/**
 * Collects every invalid input of a run, so that the user sees all of them at once
 * instead of fixing one per pipeline run.
 */
export class Problems {
  private readonly messages: string[] = [];

  add(message: string): void {
    this.messages.push(message);
  }

  get count(): number {
    return this.messages.length;
  }

  /** Throws one error that lists every problem, when there is any. */
  throwIfAny(): void {
    if (this.messages.length === 0) return;
    const list = this.messages.map((message) => `  - ${message}`).join('\n');
    throw new Error(loc('InvalidSettings', this.messages.length, list));
  }
}
