// The whole window against a mocked IPC: the shell is replaced, the UI is real.
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import type { Channel } from '@tauri-apps/api/core';
import App from '../App.svelte';
import { acme, base, ipc, status } from './fixtures';
import { app } from '../lib/app.svelte';

afterEach(() => {
  cleanup();
  clearMocks();
  app.page = { kind: 'welcome' };
});

describe('App', () => {
  it('opens the first account on its API key tab, with age, creator and the rotation badge', async () => {
    const mock = ipc({
      ...base,
      accounts_list: () => [
        acme,
        { ...acme, name: 'globex', display_name: 'Globex', your_role: null, has_active_key: false },
      ],
    });
    mockIPC(mock.handle);
    render(App);
    expect(await screen.findByText('Created 183 days ago by ana', { exact: false })).toBeTruthy();
    expect(screen.getAllByText('Rotation recommended').length).toBeGreaterThan(0);
    expect(screen.getByText('Globex')).toBeTruthy();
    expect(screen.getByText('Not a member')).toBeTruthy();
    expect(screen.getByTestId('key-value').textContent).toBe('kw_Ab1…9xYz');
    expect(screen.getByTestId('gateway-badge').textContent).toContain('http://127.0.0.1:8790');
    expect(screen.getByTitle('Rotation due')).toBeTruthy(); // the sidebar badge
  });

  it('shows a banner for a key past its rotation period, and snoozes it', async () => {
    const mock = ipc({ ...base, reminder_snooze: () => '2026-12-03T09:00:00.000Z' });
    mockIPC(mock.handle);
    render(App);
    const banner = await screen.findByTestId('due-banner');
    expect(banner.textContent).toContain('the API key of Acme Inc is 183 days old.');
    await fireEvent.click(within(banner).getByText('Remind me in a week'));
    expect(await screen.findByText('Reminders snoozed for a week.')).toBeTruthy();
    expect(screen.queryByTestId('due-banner')).toBeNull();
    expect(mock.calls.find((c) => c.cmd === 'reminder_snooze')?.args).toEqual({ account: 'acme', days: 7 });
  });

  it('does not recommend rotation before the policy age', async () => {
    mockIPC(ipc({ ...base, key_status: () => status(20) }).handle);
    render(App);
    expect(await screen.findByText('Created 20 days ago by ana', { exact: false })).toBeTruthy();
    expect(screen.queryByTestId('rotation-due')).toBeNull();
    expect(screen.queryByTestId('due-banner')).toBeNull();
  });

  it('opens the account a clicked reminder names, through the channel it subscribed at start', async () => {
    let channel: Channel<string> | undefined;
    const globex = { ...acme, name: 'globex', display_name: 'Globex' };
    mockIPC(
      ipc({
        ...base,
        accounts_list: () => [acme, globex],
        open_requests_subscribe: (args) => void (channel = args.channel as Channel<string>),
      }).handle,
    );
    render(App);
    await screen.findByText('Created 183 days ago by ana', { exact: false });
    expect(channel).toBeDefined();
    app.page = { kind: 'settings' };
    channel!.onmessage('globex');
    expect(app.page).toEqual({ kind: 'account', account: 'globex', tab: 'key' });
  });

  it('welcomes an empty store with the gateway URL', async () => {
    mockIPC(ipc({ ...base, accounts_list: () => [] }).handle);
    render(App);
    const welcome = (await screen.findByText(/Welcome to Keyward/)).closest('section')!;
    expect(welcome.textContent).toContain('the gateway at http://127.0.0.1:8790');
  });

  it('shows a start-up error from the core where the page would be', async () => {
    mockIPC(
      ipc({
        ...base,
        accounts_list: () => {
          throw { kind: 'keyring_unavailable', message: 'the OS keyring is unavailable' };
        },
      }).handle,
    );
    render(App);
    expect((await screen.findByRole('alert')).textContent).toContain('The OS keyring is locked or unavailable');
  });

  it('creates an account and keeps the form when the name is refused', async () => {
    let accounts = [acme];
    const mock = ipc({
      ...base,
      accounts_list: () => accounts,
      account_create: (args) => {
        if (args.name === 'Bad Name')
          throw { kind: 'invalid_input', message: 'refused', detail: { reason: 'account_name', name: 'Bad Name' } };
        const created = { ...acme, name: String(args.name), display_name: String(args.displayName) };
        accounts = [...accounts, created];
        return created;
      },
    });
    mockIPC(mock.handle);
    render(App);
    await fireEvent.click(await screen.findByTestId('create-account'));
    const name = screen.getByLabelText('Account name') as HTMLInputElement;
    await fireEvent.input(name, { target: { value: 'Bad Name' } });
    await fireEvent.submit(name.closest('form')!);
    const dialog = screen.getByTestId('create-dialog');
    expect((await within(dialog).findByRole('alert')).textContent).toContain('not a valid account name');
    expect(name.value).toBe('Bad Name');
    await fireEvent.input(name, { target: { value: 'initech' } });
    await fireEvent.input(screen.getByLabelText('Display name'), { target: { value: 'Initech' } });
    await fireEvent.submit(name.closest('form')!);
    expect(await screen.findByText('Account initech created. You are its super admin.')).toBeTruthy();
    expect(mock.calls.find((c) => c.cmd === 'account_create' && c.args.name === 'initech')?.args).toEqual({
      name: 'initech',
      displayName: 'Initech',
    });
  });
});
