import { afterEach, describe, expect, it } from 'vitest';
import { en } from '../lib/i18n/en';
import { ja } from '../lib/i18n/ja';
import { explain, setLanguage, t } from '../lib/i18n/index.svelte';

afterEach(() => setLanguage('en'));

describe('translations', () => {
  it('has every English string in Japanese, non-empty and with the same placeholders', () => {
    const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(ja[key], key).toBeTruthy();
      expect(placeholders(ja[key]), key).toEqual(placeholders(en[key]));
    }
  });

  it('uses the seed article\'s wording for the key actions', () => {
    setLanguage('ja');
    expect(t('key.generate')).toBe('APIキーを生成');
    expect(t('confirm.rotate_button')).toBe('今すぐこのキーを変更(ローテーション)して期限切れにする');
    expect(t('confirm.deactivate_button')).toBe('今すぐこのキーを無効化する');
  });

  it('explains refusals in the chosen language and keeps the core\'s advice otherwise', () => {
    const wrong = { kind: 'confirmation' as const, message: 'wrong code: 1 attempt(s) left', refusal: { reason: 'wrong' as const, attempts_left: 1 } };
    expect(explain(wrong)).toBe('That code is not right: 1 attempt(s) left.');
    setLanguage('ja');
    expect(explain(wrong)).toBe('コードが違います。残り 1 回入力できます。');
    const denied = { kind: 'permission_denied' as const, message: 'bob is not a super admin of acme: ask one of its super admins' };
    expect(explain(denied)).toBe('このアカウントのスーパー管理者ではありません。(bob is not a super admin of acme: ask one of its super admins)');
  });
});
