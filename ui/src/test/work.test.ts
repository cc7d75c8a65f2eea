// One action at a time for a view: busy while it runs, a failure explained, then the follow-up.
import { describe, expect, it } from 'vitest';
import { Work } from '../lib/work.svelte';

describe('Work', () => {
  it('is busy while an action runs and clears the last error', async () => {
    const work = new Work();
    work.error = 'an old failure';
    let release!: () => void;
    const running = work.run(() => new Promise<void>((done) => (release = done)));
    expect([work.busy, work.error]).toEqual([true, null]);
    release();
    await running;
    expect([work.busy, work.error]).toEqual([false, null]);
  });

  it('explains a failure, then runs the follow-up', async () => {
    const work = new Work();
    let reloaded = false;
    await work.run(
      () =>
        Promise.reject({
          kind: 'not_found',
          message: 'no account named "acme"',
          detail: { reason: 'account', account: 'acme' },
        }),
      async () => {
        reloaded = true;
      },
    );
    expect(work.busy).toBe(false);
    expect(work.error).toBe('There is no account named "acme" (any more).');
    expect(reloaded).toBe(true);
  });
});
