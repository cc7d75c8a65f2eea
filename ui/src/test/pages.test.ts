// Audit, call log, members and settings pages against a mocked IPC.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import AuditTab from '../components/AuditTab.svelte';
import CallsTab from '../components/CallsTab.svelte';
import MembersTab from '../components/MembersTab.svelte';
import SettingsPage from '../components/SettingsPage.svelte';
import { app } from '../lib/app.svelte';
import { setLanguage } from '../lib/i18n/index.svelte';
import { toasts } from '../lib/toast.svelte';
import { acme, base, gateway, ipc, settings } from './fixtures';
import type { AuditEntry, CallEntry, CallStats } from '../lib/api';

beforeEach(() => {
  app.accounts = [acme];
  app.settings = settings;
  app.gateway = gateway;
  app.info = { actor: 'ana', device: 'laptop', version: '0.1.0', team_server: null };
  setLanguage('en');
});
afterEach(() => {
  cleanup();
  clearMocks();
});

const entry = (seq: number, event: string): AuditEntry => ({
  seq,
  at: '2026-11-20T10:00:00.000Z',
  actor: 'ana',
  device: 'laptop',
  account: 'acme',
  key_id: 'key_1',
  key_hint: 'kw_Ab1…9xYz',
  event,
  details: '{"grace":"1h","confirmed_by":"challenge"}',
  prev_hash: '',
  hash: '',
});

describe('audit log tab', () => {
  it('words a refused confirmation in the details, not as an object', async () => {
    const failed = {
      ...entry(1, 'challenge_failed'),
      details: '{"action":"rotate","challenge":"c1","refusal":{"reason":"wrong","attempts_left":2}}',
    };
    mockIPC(
      ipc({ ...base, audit_list: () => [failed], audit_verify: () => ({ status: 'verified', entries: 1 }) }).handle,
    );
    render(AuditTab, { account: 'acme' });
    const cell = await screen.findByText(/^action: rotate/);
    expect(cell.textContent).toBe(
      'action: rotate · challenge: c1 · refusal: That code is not right: 2 attempt(s) left.',
    );
    expect(cell.textContent).not.toContain('[object Object]');
  });

  it('lists entries with the chain verdict and filters by event', async () => {
    const mock = ipc({
      ...base,
      audit_list: (a) =>
        a.event ? [entry(3, 'rotated')] : [entry(1, 'generated'), entry(2, 'viewed'), entry(3, 'rotated')],
      audit_verify: () => ({ status: 'verified', entries: 3, checkpoint: 3 }),
    });
    mockIPC(mock.handle);
    render(AuditTab, { account: 'acme' });
    expect((await screen.findByTestId('chain-status')).textContent).toContain('Verified: 3 entries');
    expect(screen.getAllByRole('row')).toHaveLength(4);
    expect(screen.getAllByText('grace: 1h · confirmed_by: challenge')).toHaveLength(3);
    await fireEvent.change(screen.getByTestId('audit-filter'), { target: { value: 'rotated' } });
    await screen.findByText((_, el) => el?.tagName === 'TBODY' && el.children.length === 1);
    expect(mock.calls.at(-2)?.args).toEqual({ account: 'acme', event: 'rotated' });
  });

  it('says where a broken chain breaks', async () => {
    mockIPC(
      ipc({
        ...base,
        audit_list: () => [entry(1, 'generated')],
        audit_verify: () => ({ status: 'broken', entry: 7, reason: 'hash does not match' }),
      }).handle,
    );
    render(AuditTab, { account: 'acme' });
    expect((await screen.findByTestId('chain-status')).textContent).toContain('Broken at entry 7');
  });

  it('names the entries cut off the end of the trail', async () => {
    mockIPC(
      ipc({
        ...base,
        audit_list: () => [entry(1, 'generated')],
        audit_verify: () => ({ status: 'truncated', entries: 48, checkpoint: 50 }),
      }).handle,
    );
    render(AuditTab, { account: 'acme' });
    expect((await screen.findByTestId('chain-status')).textContent).toContain('entries 49–50 are missing');
  });
});

const noCalls: CallStats = {
  account: 'acme',
  since: '2026-11-19T12:00:00.000Z',
  hours: [],
  logged: 0,
  served: 0,
  logged_ever: 0,
  dropped: 0,
};
const call: CallEntry = {
  at: '2026-11-26T10:00:00.000Z',
  account: 'acme',
  key_id: 'key_1',
  key_fingerprint: null,
  method: 'GET',
  path: '/v1/contacts',
  status: 401,
  outcome: 'REVOKED',
  latency_us: 1500,
  client_ip: '127.0.0.1',
  user_agent: 'crm-sync/2.0',
};

describe('call log tab', () => {
  it('explains how to send a first call when there are none', async () => {
    mockIPC(ipc({ ...base, calls_list: () => [], calls_stats: () => noCalls }).handle);
    render(CallsTab, { account: 'acme' });
    expect((await screen.findByTestId('calls-empty')).textContent).toContain(
      'curl -X POST http://127.0.0.1:8790/v1/keys/verify',
    );
  });

  it('lists calls and sends the filters to the core, from page one', async () => {
    const mock = ipc({
      ...base,
      calls_list: () => [call],
      calls_stats: () => ({
        ...noCalls,
        logged: 1,
        hours: [{ hour: '2026-11-26T10:00:00.000Z', outcome: 'REVOKED', count: 1 }],
      }),
    });
    mockIPC(mock.handle);
    render(CallsTab, { account: 'acme' });
    const table = await screen.findByTestId('calls-table');
    expect(table.textContent).toContain('/v1/contacts');
    expect(table.textContent).toContain('1.5 ms');
    await fireEvent.change(screen.getByTestId('calls-status'), { target: { value: '4' } });
    await fireEvent.input(screen.getByTestId('calls-search'), { target: { value: 'crm' } });
    const last = mock.calls.filter((c) => c.cmd === 'calls_list').at(-1);
    expect(last?.args).toEqual({ filter: { account: 'acme', status_class: 4, text: 'crm', limit: 50, offset: 0 } });
  });
});

describe('members tab', () => {
  it('adds a member and shows a refusal where the form is', async () => {
    const mock = ipc({
      ...base,
      members_list: () => [{ name: 'ana', email: null, role: 'super-admin', added_at: '2026-01-10T09:00:00.000Z' }],
      member_add: (a) => {
        if (a.email === 'not-an-email')
          throw { kind: 'invalid_input', message: 'refused', detail: { reason: 'email', email: 'not-an-email' } };
        return { name: a.name, email: a.email, role: a.role, added_at: '2026-11-26T09:00:00.000Z' };
      },
    });
    mockIPC(mock.handle);
    render(MembersTab, { account: 'acme' });
    expect((await screen.findByTestId('members-table')).textContent).toContain('(you)');
    const form = screen.getByTestId('member-add') as HTMLFormElement;
    await fireEvent.input(form.querySelector('[name=member-name]')!, { target: { value: 'bob' } });
    await fireEvent.input(form.querySelector('[name=member-email]')!, { target: { value: 'not-an-email' } });
    await fireEvent.submit(form);
    expect((await screen.findByTestId('members-error')).textContent).toContain('is not an email address');
    expect((form.querySelector('[name=member-name]') as HTMLInputElement).value).toBe('bob');
  });

  it('changes an email in place, clears it when emptied, and shows the stored one after a refusal', async () => {
    let stored: string | null = 'ana@old.example';
    const mock = ipc({
      ...base,
      members_list: () => [{ name: 'ana', email: stored, role: 'super-admin', added_at: '2026-01-10T09:00:00.000Z' }],
      member_set_email: (a) => {
        if (a.email === 'nope')
          throw { kind: 'invalid_input', message: 'refused', detail: { reason: 'email', email: 'nope' } };
        stored = (a.email as string | null)?.trim() || null; // the core trims
        return { name: a.name, email: stored, role: 'super-admin', added_at: '2026-01-10T09:00:00.000Z' };
      },
    });
    mockIPC(mock.handle);
    render(MembersTab, { account: 'acme' });
    const field = (await screen.findByLabelText('Email: ana')) as HTMLInputElement;
    expect(field.value).toBe('ana@old.example');

    await fireEvent.change(field, { target: { value: ' ana@new.example ' } });
    await waitFor(() => expect(toasts.current?.text).toBe('Reminders for ana go to ana@new.example.'));
    expect(mock.calls.find((c) => c.cmd === 'member_set_email')?.args).toEqual({
      account: 'acme',
      name: 'ana',
      email: 'ana@new.example',
    }); // an email field drops the spaces itself

    await fireEvent.change(field, { target: { value: 'nope' } });
    expect((await screen.findByTestId('members-error')).textContent).toContain('is not an email address');
    expect(field.value).toBe('ana@new.example');

    await fireEvent.change(field, { target: { value: '' } });
    await waitFor(() => expect(toasts.current?.text).toBe('ana has no email address now.'));
    expect(mock.calls.filter((c) => c.cmd === 'member_set_email').at(-1)?.args.email).toBeNull();
  });
});

describe('settings page', () => {
  it('shows a busy gateway port with what to do', async () => {
    app.gateway = {
      url: 'http://127.0.0.1:8790',
      port: 8790,
      running: false,
      error: 'Port 8790 is already in use by another program: choose another gateway port in Settings.',
    };
    mockIPC(ipc(base).handle);
    render(SettingsPage);
    expect(screen.getByTestId('gateway-error').textContent).toContain('choose another gateway port');
    expect(screen.getByTestId('gateway-state').textContent).toBe('Not running');
  });

  it('saves the whole form, switches language, and keeps the draft on a refusal', async () => {
    let refuse = true;
    const mock = ipc({
      ...base,
      settings_save: (a) => {
        if (refuse)
          throw {
            kind: 'invalid_input',
            message: 'refused',
            detail: { reason: 'out_of_range', field: 'gateway_port', value: 80, min: 1024, max: 65535 },
          };
        return a.settings;
      },
      accounts_list: () => [acme],
    });
    mockIPC(mock.handle);
    render(SettingsPage);
    // The browser's own range check stops 80 first; submitting anyway shows the core's check.
    await fireEvent.input(screen.getByTestId('gateway-port'), { target: { value: '80' } });
    expect((screen.getByTestId('gateway-port') as HTMLInputElement).validity.rangeUnderflow).toBe(true);
    await fireEvent.submit(screen.getByTestId('settings-form'));
    expect((await screen.findByTestId('settings-error')).textContent).toBe(
      'Gateway port: 80 is out of range. Use 1024 to 65535.',
    );
    expect((screen.getByTestId('gateway-port') as HTMLInputElement).value).toBe('80');
    refuse = false;
    await fireEvent.input(screen.getByTestId('gateway-port'), { target: { value: '18790' } });
    await fireEvent.change(screen.getByTestId('language'), { target: { value: 'ja' } });
    await fireEvent.submit(screen.getByTestId('settings-form'));
    expect(await screen.findByText('設定を保存')).toBeTruthy();
    const saved = mock.calls.filter((c) => c.cmd === 'settings_save').at(-1)?.args.settings as Record<string, unknown>;
    expect(saved).toMatchObject({ gateway_port: 18790, language: 'ja' });
  });
});
