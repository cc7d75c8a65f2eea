// Translation: t('key', {params}) in the current language. The language is reactive state, so
// every t() in a template re-renders when it changes.
import { en, type MessageKey } from './en';
import { ja } from './ja';
import type { Language } from '../bindings/Language';
import type { IpcError } from '../bindings/IpcError';

export type { MessageKey };
export type Lang = 'en' | 'ja';

const dictionaries: Record<Lang, Record<MessageKey, string>> = { en, ja };
const locale = $state<{ lang: Lang }>({ lang: 'en' });

/** `system` follows the web view's language (Japanese for ja*, else English). */
export function setLanguage(choice: Language): void {
  const system = typeof navigator !== 'undefined' && navigator.language.toLowerCase().startsWith('ja') ? 'ja' : 'en';
  locale.lang = choice === 'system' ? system : choice;
  if (typeof document !== 'undefined') document.documentElement.lang = locale.lang;
}

export function lang(): Lang {
  return locale.lang;
}

export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const text = dictionaries[locale.lang][key] ?? en[key];
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
}

/**
 * A core error in the user's words. Refused confirmation codes are explained fully in either
 * language; other errors keep the core's own message (it says what to do), led in Japanese by
 * a translated summary.
 */
export function explain(err: IpcError): string {
  if (err.refusal) {
    const { reason, ...params } = err.refusal as { reason: string } & Record<string, number>;
    return t(`refusal.${reason}` as MessageKey, params);
  }
  if (locale.lang === 'en') return capitalise(err.message);
  return `${t(`error.${err.kind}` as MessageKey)}(${err.message})`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
