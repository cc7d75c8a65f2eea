// The only module that talks to the Rust side. Payload types are generated from Rust (ts-rs)
// into ./bindings; `make test` fails when they are stale.
import { Channel, invoke } from '@tauri-apps/api/core';
import type { Account } from './bindings/Account';
import type { Action } from './bindings/Action';
import type { AppInfo } from './bindings/AppInfo';
import type { AuditEntry } from './bindings/AuditEntry';
import type { CallEntry } from './bindings/CallEntry';
import type { CallFilter } from './bindings/CallFilter';
import type { CallStats } from './bindings/CallStats';
import type { ChainStatus } from './bindings/ChainStatus';
import type { Challenge } from './bindings/Challenge';
import type { CopyReceipt } from './bindings/CopyReceipt';
import type { Deactivation } from './bindings/Deactivation';
import type { GatewayStatus } from './bindings/GatewayStatus';
import type { Grace } from './bindings/Grace';
import type { IpcError } from './bindings/IpcError';
import type { KeyInfo } from './bindings/KeyInfo';
import type { KeyStatus } from './bindings/KeyStatus';
import type { Member } from './bindings/Member';
import type { Role } from './bindings/Role';
import type { RotationDone } from './bindings/RotationDone';
import type { Settings } from './bindings/Settings';

export type {
  Account, Action, AppInfo, AuditEntry, CallEntry, CallFilter, CallStats, ChainStatus, Challenge,
  CopyReceipt, Deactivation, GatewayStatus, Grace, IpcError, KeyInfo, KeyStatus, Member, Role,
  RotationDone, Settings,
};

export const appInfo = () => invoke<AppInfo>('app_info');

export const listAccounts = () => invoke<Account[]>('accounts_list');
export const createAccount = (name: string, displayName: string | null) =>
  invoke<Account>('account_create', { name, displayName });

export const keyStatus = (account: string) => invoke<KeyStatus>('key_status', { account });
export const generateKey = (account: string) => invoke<KeyInfo>('key_generate', { account });
/** The key itself (audited `viewed`): keep it in memory only while it is shown. */
export const revealKey = (account: string) => invoke<string>('key_reveal', { account });
/** Copies in Rust; the key never reaches the web view. */
export const copyKey = (account: string) => invoke<CopyReceipt>('key_copy', { account });
export const issueChallenge = (account: string, action: Action) =>
  invoke<Challenge>('challenge_issue', { account, action });
export const rotateKey = (account: string, grace: Grace, challengeId: string, code: string) =>
  invoke<RotationDone>('key_rotate', { account, grace, challengeId, code });
export const deactivateKey = (account: string, challengeId: string, code: string) =>
  invoke<Deactivation>('key_deactivate', { account, challengeId, code });
export const expireNow = (account: string, keyId: string) => invoke<string[]>('key_expire_now', { account, keyId });

export const auditList = (account: string, event: string | null) =>
  invoke<AuditEntry[]>('audit_list', { account, event });
export const auditVerify = () => invoke<ChainStatus>('audit_verify');
/** Saves a CSV in Downloads; resolves to its path. */
export const auditExport = (account: string) => invoke<string>('audit_export', { account });

export const callsList = (filter: CallFilter) => invoke<CallEntry[]>('calls_list', { filter });
export const callsStats = (account: string) => invoke<CallStats>('calls_stats', { account });
export const callsExport = (filter: CallFilter) => invoke<string>('calls_export', { filter });

export const listMembers = (account: string) => invoke<Member[]>('members_list', { account });
export const addMember = (account: string, name: string, email: string | null, role: Role) =>
  invoke<Member>('member_add', { account, name, email, role });
export const setMemberRole = (account: string, name: string, role: Role) =>
  invoke<void>('member_set_role', { account, name, role });
export const setMemberEmail = (account: string, name: string, email: string | null) =>
  invoke<Member>('member_set_email', { account, name, email });
export const removeMember = (account: string, name: string) => invoke<void>('member_remove', { account, name });

export const getSettings = () => invoke<Settings>('settings_get');
export const saveSettings = (settings: Settings) => invoke<Settings>('settings_save', { settings });
export const gatewayStatus = () => invoke<GatewayStatus>('gateway_status');
export const restartGateway = () => invoke<GatewayStatus>('gateway_restart');

/** Holds back this person's rotation reminders for the account's key (1 or 7 days). */
export const snoozeReminders = (account: string, days: 1 | 7) => invoke<string>('reminder_snooze', { account, days });

/**
 * A clicked reminder notification asks to open its account. A channel, not an event: Tauri's
 * `listen` starts a JavaScript engine in the app process (see src-tauri/src/open_requests.rs).
 */
export function onOpenAccount(handler: (account: string) => void): Promise<void> {
  const channel = new Channel<string>();
  channel.onmessage = handler;
  return invoke<void>('open_requests_subscribe', { channel });
}

/** Tells the shell the first frame is on screen (start-up timing). */
export const reportFirstPaint = () => invoke<number>('first_paint');

/** A rejected command's error, as the shell sends it. */
export function asIpcError(err: unknown): IpcError {
  if (err && typeof err === 'object' && 'kind' in err && 'message' in err) return err as IpcError;
  return { kind: 'internal', message: String(err) };
}
