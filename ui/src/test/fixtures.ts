// Payloads as the shell sends them, typed by the generated bindings so they cannot drift.
import type { Account, AppInfo, GatewayStatus, KeyStatus, Settings } from '../lib/api';

export const acme: Account = {
  name: 'acme',
  display_name: 'Acme Inc',
  created_at: '2026-01-10T09:00:00.000Z',
  created_by: 'ana',
  rotation_period_days: 180,
  reminder_lead_days: 14,
  your_role: 'super-admin',
  has_active_key: true,
};

export const info: AppInfo = { actor: 'ana', device: 'laptop', version: '0.1.0', team_server: null };

export const settings: Settings = {
  rotation_period_days: 180,
  reminder_lead_days: 14,
  default_grace: '0',
  clipboard_clear_secs: 30,
  gateway_port: 8790,
  start_at_login: false,
  close_to_tray: true,
  language: 'en',
  theme: 'system',
};

export const gateway: GatewayStatus = { url: 'http://127.0.0.1:8790', port: 8790, running: true, error: null };

export function status(ageDays: number): KeyStatus {
  return {
    account: 'acme',
    active: {
      key_id: 'key_1',
      hint: 'kw_Ab1…9xYz',
      created_at: new Date(Date.now() - ageDays * 86_400_000).toISOString(),
      created_by: 'ana',
      age_days: ageDays,
      rotation_period_days: 180,
      rotation_due_at: new Date(Date.now() + (180 - ageDays) * 86_400_000).toISOString(),
      rotation_due: ageDays >= 180,
      last_used_at: null,
    },
    grace: [],
  };
}

/** A mock IPC answering from a table of handlers, recording every call. */
export function ipc(handlers: Record<string, (args: Record<string, unknown>) => unknown>) {
  const calls: { cmd: string; args: Record<string, unknown> }[] = [];
  const handle = (cmd: string, args: unknown) => {
    calls.push({ cmd, args: (args ?? {}) as Record<string, unknown> });
    const handler = handlers[cmd];
    if (!handler) throw { kind: 'internal', message: `unexpected command ${cmd}` };
    return handler((args ?? {}) as Record<string, unknown>);
  };
  return { calls, handle };
}

export const base = {
  open_requests_subscribe: () => null,
  app_info: () => info,
  settings_get: () => settings,
  gateway_status: () => gateway,
  accounts_list: () => [acme],
  key_status: () => status(183),
};
