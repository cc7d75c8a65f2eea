import { asIpcError } from './api';
import { explain } from './i18n/index.svelte';

/**
 * A view's work, one action at a time: `busy` while one runs (its buttons disable on it), and what
 * went wrong, explained, in `error` (shown next to the buttons; the page keeps its state).
 */
export class Work {
  busy = $state(false);
  error = $state<string | null>(null);

  /** Runs `work`; a failure is explained in `error`, then `afterFailure` runs (say, a reload). */
  async run(work: () => Promise<void>, afterFailure?: () => Promise<void>) {
    this.busy = true;
    this.error = null;
    try {
      await work();
    } catch (err) {
      this.fail(err);
      await afterFailure?.();
    } finally {
      this.busy = false;
    }
  }

  /** Explains a failure (of a load, say) in `error`. */
  fail(err: unknown) {
    this.error = explain(asIpcError(err));
  }
}
