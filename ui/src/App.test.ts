// The window's account list against a mocked IPC: the shell is replaced, the UI is real.
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import App from './App.svelte';
import type { Account } from './lib/api';

const acme: Account = {
  name: 'acme',
  display_name: 'Acme Inc',
  created_at: '2026-01-10T09:00:00.000Z',
  created_by: 'ana',
  rotation_period_days: 180,
  your_role: 'super-admin',
  has_active_key: true,
};

afterEach(() => {
  cleanup();
  clearMocks();
});

describe('App', () => {
  it('lists the accounts the core returns', async () => {
    const calls: string[] = [];
    mockIPC((cmd) => {
      calls.push(cmd);
      if (cmd === 'accounts_list') return [acme, { ...acme, name: 'globex', display_name: 'Globex', your_role: null, has_active_key: false }];
    });
    render(App);
    expect(await screen.findByText('Acme Inc')).toBeTruthy();
    expect(screen.getByText('Globex')).toBeTruthy();
    expect(screen.getByText('Key active')).toBeTruthy();
    expect(screen.getByText('No key')).toBeTruthy();
    expect(calls).toEqual(['accounts_list']);
  });

  it('explains an empty store', async () => {
    mockIPC(() => []);
    render(App);
    expect(await screen.findByText(/No accounts yet/)).toBeTruthy();
  });

  it('shows the core error message where the list would be', async () => {
    mockIPC(() => {
      throw { kind: 'internal', message: 'Something went wrong inside Keyward; the details are in its log.' };
    });
    render(App);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Something went wrong inside Keyward');
  });
});
