// The only module that talks to the Rust side. Payload types are generated from Rust (ts-rs)
// into ./bindings; `make test` fails when they are stale.
import { invoke } from '@tauri-apps/api/core';
import type { Account } from './bindings/Account';
import type { IpcError } from './bindings/IpcError';

export type { Account, IpcError };

/** Every account and the local user's role in it. */
export function listAccounts(): Promise<Account[]> {
  return invoke<Account[]>('accounts_list');
}

/** A rejected command's error, as the shell sends it. */
export function asIpcError(err: unknown): IpcError {
  if (err && typeof err === 'object' && 'kind' in err && 'message' in err) return err as IpcError;
  return { kind: 'internal', message: String(err) };
}
