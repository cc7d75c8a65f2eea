import { afterEach, describe, expect, it } from 'vitest';
import { en } from '../lib/i18n/en';
import { ja } from '../lib/i18n/ja';
import { explain, setLanguage, t } from '../lib/i18n/index.svelte';
import type { ErrorKind } from '../lib/bindings/ErrorKind';
import type { IpcError } from '../lib/bindings/IpcError';

afterEach(() => setLanguage('en'));

describe('translations', () => {
  it('has every English string in Japanese, non-empty and with the same placeholders', () => {
    const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(ja[key], key).toBeTruthy();
      expect(placeholders(ja[key]), key).toEqual(placeholders(en[key]));
    }
  });

  it("uses HubSpot's Japanese wording for the key actions (APIキーを生成, …)", () => {
    setLanguage('ja');
    expect(t('key.generate')).toBe('APIキーを生成');
    expect(t('confirm.rotate_button')).toBe('今すぐこのキーを変更(ローテーション)して期限切れにする');
    expect(t('confirm.deactivate_button')).toBe('今すぐこのキーを無効化する');
  });

  it("explains each error by its reason and fields in the chosen language, never in the core's English", () => {
    const wrong: IpcError = {
      kind: 'confirmation',
      message: 'wrong code: 1 attempt(s) left',
      detail: { reason: 'wrong', attempts_left: 1 },
    };
    expect(explain(wrong)).toBe('That code is not right: 1 attempt(s) left.');
    const range: IpcError = {
      kind: 'invalid_input',
      message: 'x',
      detail: { reason: 'out_of_range', field: 'rotation_period_days', value: 20, min: 30, max: 730 },
    };
    expect(explain(range)).toBe('Rotation period (days): 20 is out of range. Use 30 to 730.');
    setLanguage('ja');
    expect(explain(wrong)).toBe('コードが違います。残り 1 回入力できます。');
    expect(explain(range)).toBe('ローテーション周期(日): 20 は範囲外です。30〜730 の値にしてください。');
    const missing: IpcError = {
      kind: 'not_found',
      message: 'account "acme" has no active key',
      detail: { reason: 'active_key', account: 'acme' },
    };
    expect(explain(missing)).toBe('acme には有効なAPIキーがありません。先に生成してください。');
    const denied: IpcError = {
      kind: 'permission_denied',
      message: 'bob is not a super admin of acme: ask one of its super admins',
    };
    expect(explain(denied)).toBe('このアカウントのスーパー管理者ではありません。');
  });

  it('has words for every error kind in both languages', () => {
    // `satisfies` makes this list fail the type check when Rust adds a kind.
    const kinds = {
      invalid_input: 1,
      permission_denied: 1,
      not_found: 1,
      conflict: 1,
      confirmation: 1,
      keyring_unavailable: 1,
      unavailable: 1,
      internal: 1,
    } satisfies Record<ErrorKind, 1>;
    for (const kind of Object.keys(kinds) as ErrorKind[]) {
      for (const lang of ['en', 'ja'] as const) {
        setLanguage(lang);
        const text = explain({ kind, message: 'core words' });
        expect(text, `${lang} ${kind}`).toBe((lang === 'en' ? en : ja)[`error.${kind}`]);
        expect(text).not.toContain('core words');
      }
    }
  });

  it('has words for every reason in both languages (reasons come from the generated types)', () => {
    const reasons = Object.keys(en).filter((key) =>
      /^(invalid_input|not_found|conflict|confirmation|unavailable)\./.test(key),
    );
    expect(reasons.length).toBeGreaterThan(30);
    for (const key of reasons) expect(ja[key as keyof typeof ja], key).not.toBe(en[key as keyof typeof en]);
  });
});
