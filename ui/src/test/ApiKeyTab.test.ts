// The API key tab and its confirmation dialog against a mocked IPC.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import ApiKeyTab from '../components/ApiKeyTab.svelte';
import { app } from '../lib/app.svelte';
import { acme, base, ipc, settings, status } from './fixtures';
import type { KeyStatus } from '../lib/api';

const KEY = 'kw_0123456789abcdefghijklmnopqrst123456';

beforeEach(() => {
  app.accounts = [acme];
  app.settings = settings;
});
afterEach(() => {
  cleanup();
  clearMocks();
});

describe('API key tab', () => {
  it('shows the key only on Show, and forgets it on Hide', async () => {
    const mock = ipc({ ...base, key_reveal: () => KEY });
    mockIPC(mock.handle);
    render(ApiKeyTab, { account: 'acme' });
    const value = await screen.findByTestId('key-value');
    expect(value.textContent).toBe('kw_Ab1…9xYz');
    await fireEvent.click(screen.getByTestId('key-show'));
    await screen.findByText(KEY);
    await fireEvent.click(screen.getByTestId('key-show'));
    expect(screen.getByTestId('key-value').textContent).toBe('kw_Ab1…9xYz');
    expect(mock.calls.filter((c) => c.cmd === 'key_reveal')).toHaveLength(1);
  });

  it('copies in Rust and counts down the clipboard wipe', async () => {
    const mock = ipc({ ...base, key_copy: () => ({ clears_in_secs: 30 }) });
    mockIPC(mock.handle);
    render(ApiKeyTab, { account: 'acme' });
    await fireEvent.click(await screen.findByTestId('key-copy'));
    expect((await screen.findByTestId('clipboard-countdown')).textContent).toMatch(/cleared in (29|30) s/);
    expect(document.body.textContent).not.toContain(KEY);
  });

  it('offers Generate when there is no key, and only to super admins', async () => {
    const none: KeyStatus = { account: 'acme', active: null, grace: [] };
    mockIPC(ipc({ ...base, key_status: () => none }).handle);
    render(ApiKeyTab, { account: 'acme' });
    expect(await screen.findByTestId('key-generate')).toBeTruthy();
    cleanup();
    app.accounts = [{ ...acme, your_role: 'member' }];
    render(ApiKeyTab, { account: 'acme' });
    expect(await screen.findByText('This account has no active key.')).toBeTruthy();
    expect(screen.queryByTestId('key-generate')).toBeNull();
    expect(screen.getByText(/Only super admins/)).toBeTruthy();
  });

  it('lists a running grace window with its countdown and Expire now', async () => {
    const withGrace = {
      ...status(3),
      grace: [{ key_id: 'key_0', hint: 'kw_Old…Old1', valid_until: new Date(Date.now() + 3_600_000).toISOString() }],
    };
    const mock = ipc({ ...base, key_status: () => withGrace, key_expire_now: () => ['key_0'] });
    mockIPC(mock.handle);
    render(ApiKeyTab, { account: 'acme' });
    const list = await screen.findByTestId('grace-list');
    expect(list.textContent).toMatch(/Stops working in (59 min|1 h 0 min)/);
    await fireEvent.click(screen.getByText('Expire now'));
    await screen.findByText('The old key stopped working.', {}, { timeout: 2000 }).catch(() => null);
    expect(mock.calls.find((c) => c.cmd === 'key_expire_now')?.args).toEqual({ account: 'acme', keyId: 'key_0' });
  });

  it('shows a refused action next to the buttons', async () => {
    mockIPC(
      ipc({
        ...base,
        key_reveal: () => {
          throw { kind: 'keyring_unavailable', message: 'the OS keyring is unavailable (locked). Unlock it' };
        },
      }).handle,
    );
    render(ApiKeyTab, { account: 'acme' });
    await fireEvent.click(await screen.findByTestId('key-show'));
    expect((await screen.findByTestId('key-error')).textContent).toContain('The OS keyring is locked or unavailable');
  });
});

describe('confirmation dialog', () => {
  async function openRotate(handlers: Parameters<typeof ipc>[0]) {
    const mock = ipc({ ...base, ...handlers });
    mockIPC(mock.handle);
    render(ApiKeyTab, { account: 'acme' });
    await fireEvent.click(await screen.findByTestId('key-actions'));
    await fireEvent.click(screen.getByTestId('action-rotate'));
    return mock;
  }
  const challenge = {
    id: 'ch_1',
    code: 'K7MX3Q',
    action: 'rotate',
    account: 'acme',
    key_id: 'key_1',
    expires_at: '2026-11-26T12:00:00.000Z',
  };

  it('asks the core for a code only when "I\'m not a robot" is ticked, then sends code and grace', async () => {
    const mock = await openRotate({
      challenge_issue: () => challenge,
      key_rotate: () => ({ new_key: {}, old_key_id: 'key_1', old_key_valid_until: null }),
    });
    expect(screen.getByTestId('consequence').textContent).toContain(
      'Integrations using the current key will stop working',
    );
    expect(mock.calls.some((c) => c.cmd === 'challenge_issue')).toBe(false);
    expect((screen.getByTestId('confirm-submit') as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.click(screen.getByTestId('robot'));
    expect((await screen.findByTestId('challenge-code')).textContent).toBe('K7MX3Q');
    expect(screen.getByText('Confirmation code: K 7 M X 3 Q')).toBeTruthy(); // announced, spelled out
    await fireEvent.click(screen.getByTestId('grace-24h'));
    expect(screen.getByTestId('confirm-submit').textContent?.trim()).toBe('Rotate now');
    await fireEvent.input(screen.getByTestId('challenge-answer'), { target: { value: 'k7mx3q' } });
    await fireEvent.click(screen.getByTestId('confirm-submit'));
    await screen.findByText(/Key rotated/, {}, { timeout: 2000 }).catch(() => null);
    expect(mock.calls.find((c) => c.cmd === 'key_rotate')?.args).toEqual({
      account: 'acme',
      grace: '24h',
      challengeId: 'ch_1',
      code: 'k7mx3q',
    });
  });

  it.each([
    [{ reason: 'wrong', attempts_left: 2 }, 'That code is not right: 2 attempt(s) left.'],
    [{ reason: 'burned' }, 'Three wrong answers voided this code. Get a new code.'],
    [{ reason: 'expired' }, 'The code expired after 2 minutes. Get a new code.'],
  ])("explains the core's refusal %o and keeps the dialog as it was", async (refusal, explained) => {
    await openRotate({
      challenge_issue: () => challenge,
      key_rotate: () => {
        throw { kind: 'confirmation', message: 'refused', detail: refusal };
      },
    });
    await fireEvent.click(screen.getByTestId('grace-7d'));
    await fireEvent.click(screen.getByTestId('robot'));
    await screen.findByTestId('challenge-code');
    await fireEvent.input(screen.getByTestId('challenge-answer'), { target: { value: 'WRONG1' } });
    await fireEvent.click(screen.getByTestId('confirm-submit'));
    expect((await screen.findByTestId('confirm-error')).textContent).toBe(explained);
    expect((screen.getByTestId('challenge-answer') as HTMLInputElement).value).toBe('WRONG1');
    expect((screen.getByTestId('grace-7d') as HTMLInputElement).checked).toBe(true);
    expect(screen.getByTestId('new-code')).toBeTruthy();
  });

  it('deactivation says no new key is made and uses its own red button', async () => {
    mockIPC(ipc(base).handle);
    render(ApiKeyTab, { account: 'acme' });
    await fireEvent.click(await screen.findByTestId('key-actions'));
    await fireEvent.click(screen.getByTestId('action-deactivate'));
    expect(screen.getByTestId('consequence').textContent).toBe(
      'Integrations using this key will stop working now. No new key is created.',
    );
    expect(screen.getByTestId('confirm-submit').textContent?.trim()).toBe('Deactivate now');
    expect(screen.queryByTestId('grace-0')).toBeNull();
  });
});
