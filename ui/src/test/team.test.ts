// Settings › Team against a mocked IPC: connect with a code, the connected view, an unreachable
// server said and retried, back to local; a removed super admin's offer to rotate.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import TeamSettings from '../components/TeamSettings.svelte';
import MembersTab from '../components/MembersTab.svelte';
import SettingsPage from '../components/SettingsPage.svelte';
import { app } from '../lib/app.svelte';
import { setLanguage } from '../lib/i18n/index.svelte';
import { acme, base, gateway, info, ipc, settings } from './fixtures';
import type { TeamView } from '../lib/api';

const view: TeamView = {
  server: 'https://keyward.example.com/',
  me: { person: 'bob', email: null, role: 'member', device: 'dev_1', device_label: 'bob-laptop' },
  devices: [
    {
      id: 'dev_1',
      person: 'bob',
      label: 'bob-laptop',
      created_at: '2026-12-01T10:00:00.000Z',
      last_seen_at: '2026-12-02T10:00:00.000Z',
      revoked: false,
    },
    {
      id: 'dev_0',
      person: 'bob',
      label: 'old-phone',
      created_at: '2026-11-01T10:00:00.000Z',
      last_seen_at: '2026-11-02T10:00:00.000Z',
      revoked: true,
    },
  ],
};
const unreachable = {
  kind: 'unavailable',
  message: 'the team server could not be reached',
  detail: { reason: 'unreachable', server: 'https://keyward.example.com/' },
};

beforeEach(() => {
  app.accounts = [acme];
  app.settings = settings;
  app.gateway = gateway;
  app.info = info;
  setLanguage('en');
});
afterEach(() => {
  cleanup();
  clearMocks();
  vi.useRealTimers();
});

describe('Settings › Team', () => {
  it('connects with a code, then shows the server, who I am and my devices', async () => {
    const teamInfo = { ...info, actor: 'bob', team_server: view.server };
    const mock = ipc({
      ...base,
      team_status: () => null,
      team_connect: () => view,
      app_info: () => teamInfo,
      accounts_list: () => [],
    });
    mockIPC(mock.handle);
    render(TeamSettings);
    await fireEvent.input(await screen.findByLabelText('Server address'), {
      target: { value: ' https://keyward.example.com ' },
    });
    await fireEvent.input(screen.getByLabelText('Code'), { target: { value: 'ABCD-EFGH-JKMN-PQRS-TVWX' } });
    await fireEvent.input(screen.getByLabelText('Your name in the team'), { target: { value: 'bob' } });
    await fireEvent.click(screen.getByTestId('team-connect'));
    expect((await screen.findByTestId('team-server')).textContent).toContain(
      'Connected to https://keyward.example.com/',
    );
    expect(mock.calls.find((c) => c.cmd === 'team_connect')?.args).toEqual({
      server: 'https://keyward.example.com',
      code: 'ABCD-EFGH-JKMN-PQRS-TVWX',
      name: 'bob',
      email: null,
      insecure: false,
    });
    expect(screen.getByTestId('team-me').textContent).toContain('You: bob (member)');
    expect(screen.getByTestId('team-devices').textContent).toContain('old-phone (revoked)');
    await waitFor(() => expect(app.info?.team_server).toBe(view.server));
  });

  it('says a refused code in the server words and keeps the form', async () => {
    const refused = {
      kind: 'permission_denied',
      message: 'this code is not valid',
      detail: { reason: 'said', message: 'this code is not valid: ask an owner for a new one' },
    };
    mockIPC(
      ipc({
        ...base,
        team_status: () => null,
        team_connect: () => {
          throw refused;
        },
      }).handle,
    );
    render(TeamSettings);
    await fireEvent.input(await screen.findByLabelText('Server address'), {
      target: { value: 'https://keyward.example.com' },
    });
    await fireEvent.input(screen.getByLabelText('Code'), { target: { value: 'X' } });
    await fireEvent.input(screen.getByLabelText('Your name in the team'), { target: { value: 'bob' } });
    await fireEvent.click(screen.getByTestId('team-connect'));
    expect((await screen.findByTestId('team-error')).textContent).toContain(
      'The team server refused: this code is not valid: ask an owner for a new one',
    );
    expect(screen.getByTestId('team-form')).toBeTruthy();
  });

  it('says an unreachable server and tries again by itself', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let answers = 0;
    mockIPC(
      ipc({
        ...base,
        team_status: () => {
          answers += 1;
          if (answers === 1) throw unreachable;
          return view;
        },
      }).handle,
    );
    render(TeamSettings);
    expect((await screen.findByTestId('team-error')).textContent).toContain('cannot be reached');
    expect(screen.queryByTestId('team-form')).toBeNull();
    await vi.advanceTimersByTimeAsync(5000);
    expect(await screen.findByTestId('team-server')).toBeTruthy();
    expect(screen.queryByTestId('team-error')).toBeNull();
  });

  it('goes back to local after a confirmation', async () => {
    vi.spyOn(window, 'confirm').mockReturnValue(true);
    const mock = ipc({ ...base, team_status: () => view, team_leave: () => null });
    mockIPC(mock.handle);
    render(TeamSettings);
    await fireEvent.click(await screen.findByTestId('team-leave'));
    expect(await screen.findByTestId('team-form')).toBeTruthy();
    expect(mock.calls.some((c) => c.cmd === 'team_leave')).toBe(true);
  });
});

describe('revoking a device in Settings › Team', () => {
  it('offers to rotate the keys the revoked device could open', async () => {
    vi.spyOn(window, 'confirm').mockReturnValue(true);
    const phone = { ...view.devices[0], id: 'dev_2', label: 'bob-phone' };
    const withPhone = { ...view, devices: [...view.devices, phone] };
    const mock = ipc({
      ...base,
      team_status: () => withPhone,
      team_revoke_device: () => ({ device: { ...phone, revoked: true }, may_hold_keys_of: ['acme'] }),
    });
    mockIPC(mock.handle);
    render(TeamSettings);
    expect(await screen.findByTestId('revoke-dev_2')).toBeTruthy();
    expect(screen.queryByTestId('revoke-dev_1')).toBeNull();
    expect(screen.queryByTestId('revoke-dev_0')).toBeNull();
    await fireEvent.click(screen.getByTestId('revoke-dev_2'));
    expect((await screen.findByTestId('device-may-hold-key')).textContent).toContain(
      'bob may still hold the key of acme',
    );
    expect(mock.calls.find((c) => c.cmd === 'team_revoke_device')?.args).toEqual({ id: 'dev_2' });
    await fireEvent.click(screen.getByText('Rotate now'));
    await waitFor(() => expect(app.page).toEqual({ kind: 'account', account: 'acme', tab: 'key' }));
  });
});

describe('members tab in a team', () => {
  it("adds a person of the team by name, with the team's email", async () => {
    app.info = { ...info, team_server: view.server };
    const members = [
      { name: 'ana', email: 'ana@example.com', role: 'super-admin', added_at: '2026-01-10T09:00:00.000Z' },
    ];
    mockIPC(ipc({ ...base, members_list: () => members }).handle);
    render(MembersTab, { account: 'acme' });
    expect((await screen.findByTestId('members-table')).textContent).toContain('ana@example.com');
    expect(document.querySelector('input[name=email]')).toBeNull();
    expect(document.querySelector('input[name=member-email]')).toBeNull();
    expect(document.querySelector('input[name=member-name]')).toBeTruthy();
  });

  it('offers to rotate when a removed super admin may hold the key', async () => {
    vi.spyOn(window, 'confirm').mockReturnValue(true);
    const members = [
      { name: 'ana', email: null, role: 'super-admin', added_at: '2026-01-10T09:00:00.000Z' },
      { name: 'bob', email: null, role: 'super-admin', added_at: '2026-01-10T09:00:00.000Z' },
    ];
    mockIPC(
      ipc({
        ...base,
        members_list: () => members,
        member_remove: () => ({ member: 'bob', may_hold_key: true }),
      }).handle,
    );
    render(MembersTab, { account: 'acme' });
    await screen.findByTestId('members-table');
    const bob = document.querySelector('[data-member=bob] button.danger-outline') as HTMLButtonElement;
    await fireEvent.click(bob);
    expect((await screen.findByTestId('may-hold-key')).textContent).toContain('bob may still hold the key of acme');
    await fireEvent.click(screen.getByText('Rotate now'));
    await waitFor(() => expect(app.page).toEqual({ kind: 'account', account: 'acme', tab: 'key' }));
  });
});

describe('settings page in a team', () => {
  it("says the rotation policy is each account's, and keeps the device's own settings", async () => {
    app.info = { ...info, team_server: view.server };
    mockIPC(ipc({ ...base, team_status: () => view }).handle);
    render(SettingsPage);
    expect((await screen.findByTestId('team-policy-note')).textContent).toContain('keyward account policy');
    expect(document.querySelector('input[name=rotation_period_days]')).toBeNull();
    expect(document.querySelector('input[name=clipboard_clear_secs]')).toBeTruthy();
  });
});
