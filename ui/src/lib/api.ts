// The only module that talks to the Rust side. Payload types are generated from Rust (ts-rs)
// into ./bindings; `make test` fails when they are stale.
import { Channel, invoke, type InvokeArgs } from '@tauri-apps/api/core';
import type { Account } from './bindings/Account';
import type { Action } from './bindings/Action';
import type { AppInfo } from './bindings/AppInfo';
import type { AuditEntry } from './bindings/AuditEntry';
import type { AuditEvent } from './bindings/AuditEvent';
import type { CallEntry } from './bindings/CallEntry';
import type { CallFilter } from './bindings/CallFilter';
import type { CallStats } from './bindings/CallStats';
import type { ChainStatus } from './bindings/ChainStatus';
import type { Challenge } from './bindings/Challenge';
import type { Command } from './bindings/Command';
import type { CopyReceipt } from './bindings/CopyReceipt';
import type { Deactivation } from './bindings/Deactivation';
import type { GatewayStatus } from './bindings/GatewayStatus';
import type { Grace } from './bindings/Grace';
import type { IpcError } from './bindings/IpcError';
import type { KeyInfo } from './bindings/KeyInfo';
import type { KeyStatus } from './bindings/KeyStatus';
import type { Member } from './bindings/Member';
import type { Removal } from './bindings/Removal';
import type { Revoked } from './bindings/Revoked';
import type { Role } from './bindings/Role';
import type { RotationDone } from './bindings/RotationDone';
import type { Settings } from './bindings/Settings';
import type { TeamView } from './bindings/TeamView';

export type {
  Account,
  Action,
  AppInfo,
  AuditEntry,
  AuditEvent,
  CallEntry,
  CallFilter,
  CallStats,
  ChainStatus,
  Challenge,
  CopyReceipt,
  Deactivation,
  GatewayStatus,
  Grace,
  IpcError,
  KeyInfo,
  KeyStatus,
  Member,
  Removal,
  Revoked,
  Role,
  RotationDone,
  Settings,
  TeamView,
};

/** Only a command the shell registers can be named (`Command` is generated from its list). */
const call = <T>(command: Command, args?: InvokeArgs) => invoke<T>(command, args);

export const appInfo = () => call<AppInfo>('app_info');

export const listAccounts = () => call<Account[]>('accounts_list');
export const createAccount = (name: string, displayName: string | null) =>
  call<Account>('account_create', { name, displayName });

export const keyStatus = (account: string) => call<KeyStatus>('key_status', { account });
export const generateKey = (account: string) => call<KeyInfo>('key_generate', { account });
/** The key itself (audited `viewed`): keep it in memory only while it is shown. */
export const revealKey = (account: string) => call<string>('key_reveal', { account });
/** Copies in Rust; the key never reaches the web view. */
export const copyKey = (account: string) => call<CopyReceipt>('key_copy', { account });
export const issueChallenge = (account: string, action: Action) =>
  call<Challenge>('challenge_issue', { account, action });
export const rotateKey = (account: string, grace: Grace, challengeId: string, code: string) =>
  call<RotationDone>('key_rotate', { account, grace, challengeId, code });
export const deactivateKey = (account: string, challengeId: string, code: string) =>
  call<Deactivation>('key_deactivate', { account, challengeId, code });
export const expireNow = (account: string, keyId: string) => call<string[]>('key_expire_now', { account, keyId });

export const auditList = (account: string, event: AuditEvent | null) =>
  call<AuditEntry[]>('audit_list', { account, event });
export const auditVerify = () => call<ChainStatus>('audit_verify');
/** Saves a CSV in Downloads; resolves to its path. */
export const auditExport = (account: string) => call<string>('audit_export', { account });

export const callsList = (filter: CallFilter) => call<CallEntry[]>('calls_list', { filter });
export const callsStats = (account: string) => call<CallStats>('calls_stats', { account });
export const callsExport = (filter: CallFilter) => call<string>('calls_export', { filter });

export const listMembers = (account: string) => call<Member[]>('members_list', { account });
export const addMember = (account: string, name: string, email: string | null, role: Role) =>
  call<Member>('member_add', { account, name, email, role });
export const setMemberRole = (account: string, name: string, role: Role) =>
  call<void>('member_set_role', { account, name, role });
export const setMemberEmail = (account: string, name: string, email: string | null) =>
  call<Member>('member_set_email', { account, name, email });
/** `may_hold_key`: a removed super admin may have seen the key (offer to rotate it). */
export const removeMember = (account: string, name: string) => call<Removal>('member_remove', { account, name });

export const getSettings = () => call<Settings>('settings_get');
export const saveSettings = (settings: Settings) => call<Settings>('settings_save', { settings });
export const gatewayStatus = () => call<GatewayStatus>('gateway_status');
export const restartGateway = () => call<GatewayStatus>('gateway_restart');

/** The team this app is connected to, or null on a local app. */
export const teamStatus = () => call<TeamView | null>('team_status');
/** Enrols this device with a code; from then on every page is the team's. */
export const teamConnect = (server: string, code: string, name: string, email: string | null, insecure: boolean) =>
  call<TeamView>('team_connect', { server, code, name, email, insecure });
/** Back to local: this device is revoked on the server and forgets its credentials. */
export const teamLeave = () => call<void>('team_leave');
/** Revokes another device; `may_hold_keys_of`: the accounts whose key its holder may have kept. */
export const teamRevokeDevice = (id: string) => call<Revoked>('team_revoke_device', { id });

/** Holds back this person's rotation reminders for the account's key (1 or 7 days). */
export const snoozeReminders = (account: string, days: 1 | 7) => call<string>('reminder_snooze', { account, days });

/**
 * A clicked reminder notification asks to open its account. A channel, not an event: Tauri's
 * `listen` starts a JavaScript engine in the app process (see src-tauri/src/open_requests.rs).
 */
export function onOpenAccount(handler: (account: string) => void): Promise<void> {
  const channel = new Channel<string>();
  channel.onmessage = handler;
  return call<void>('open_requests_subscribe', { channel });
}

/** Tells the shell the first frame is on screen (start-up timing). */
export const reportFirstPaint = () => call<number>('first_paint');

/** A team server out of reach: the app says so and asks again after this long. */
export const RETRY_UNREACHABLE_MS = 5000;
export const isUnreachable = (err: IpcError) => err.detail?.reason === 'unreachable';

/** A rejected command's error, as the shell sends it. */
export function asIpcError(err: unknown): IpcError {
  if (err && typeof err === 'object' && 'kind' in err && 'message' in err) return err as IpcError;
  return { kind: 'internal', message: String(err) };
}
