// What every page shares: who is acting, the settings, the accounts, the gateway, the page.
import * as api from './api';
import { setLanguage } from './i18n/index.svelte';

export type Page = { kind: 'account'; account: string; tab: Tab } | { kind: 'settings' } | { kind: 'welcome' };
export type Tab = 'key' | 'audit' | 'calls' | 'members';
export type Due = { account: string; display_name: string; age_days: number };

export const app = $state({
  info: null as api.AppInfo | null,
  settings: null as api.Settings | null,
  accounts: [] as api.Account[],
  /** Accounts whose key is past the rotation period: the sidebar badge and the banner. */
  due: [] as Due[],
  gateway: null as api.GatewayStatus | null,
  page: { kind: 'welcome' } as Page,
  loadError: null as string | null,
});

/** After a connect or a leave: who is acting and whose accounts changed; start from the first. */
export async function reloadPlace(): Promise<void> {
  app.info = await api.appInfo();
  await refreshAccounts();
  const first = app.accounts[0];
  app.page = first ? { kind: 'account', account: first.name, tab: 'key' } : { kind: 'settings' };
}

export function applyLook(settings: api.Settings): void {
  setLanguage(settings.language);
  if (typeof document !== 'undefined') {
    const root = document.documentElement;
    if (settings.theme === 'system') delete root.dataset.theme;
    else root.dataset.theme = settings.theme;
  }
}

export async function loadApp(): Promise<void> {
  const [info, settings, gateway] = await Promise.all([api.appInfo(), api.getSettings(), api.gatewayStatus()]);
  app.info = info;
  app.settings = settings;
  app.gateway = gateway;
  applyLook(settings);
  await refreshAccounts();
  const first = app.accounts[0];
  if (first) app.page = { kind: 'account', account: first.name, tab: 'key' };
}

export async function refreshAccounts(): Promise<void> {
  app.accounts = await api.listAccounts();
  const mine = app.accounts.filter((a) => a.has_active_key && a.your_role);
  const statuses = await Promise.all(mine.map((a) => api.keyStatus(a.name).catch(() => null)));
  app.due = mine.flatMap((account, i) => {
    const active = statuses[i]?.active;
    return active?.rotation_due
      ? [{ account: account.name, display_name: account.display_name, age_days: active.age_days }]
      : [];
  });
}

export async function refreshGateway(): Promise<void> {
  app.gateway = await api.gatewayStatus();
}

export function openAccount(account: string, tab: Tab = 'key'): void {
  app.page = { kind: 'account', account, tab };
}
