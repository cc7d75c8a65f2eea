// One action at a time for a view: busy while it runs, a failure explained, then the follow-up.
import { describe, expect, it } from 'vitest';
import { Actions } from '../lib/actions.svelte';

describe('Actions', () => {
  it('is busy while an action runs and clears the last error', async () => {
    const actions = new Actions();
    actions.error = 'an old failure';
    let release!: () => void;
    const running = actions.run(() => new Promise<void>((done) => (release = done)));
    expect([actions.busy, actions.error]).toEqual([true, null]);
    release();
    await running;
    expect([actions.busy, actions.error]).toEqual([false, null]);
  });

  it('explains a failure, then runs the follow-up', async () => {
    const actions = new Actions();
    let reloaded = false;
    await actions.run(
      () => Promise.reject({ kind: 'not_found', message: 'no account named "acme"' }),
      async () => {
        reloaded = true;
      },
    );
    expect(actions.busy).toBe(false);
    expect(actions.error).toBe('No account named "acme"');
    expect(reloaded).toBe(true);
  });
});
