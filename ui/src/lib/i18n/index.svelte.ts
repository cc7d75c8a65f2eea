// Translation: t('key', {params}) in the current language. The language is reactive state, so
// every t() in a template re-renders when it changes.
import { en, type MessageKey } from './en';
import { ja } from './ja';
import type { Language } from '../bindings/Language';
import type { ChallengeRefusal } from '../bindings/ChallengeRefusal';
import type { Clash } from '../bindings/Clash';
import type { DesktopProblem } from '../bindings/DesktopProblem';
import type { ErrorKind } from '../bindings/ErrorKind';
import type { Invalid } from '../bindings/Invalid';
import type { IpcError } from '../bindings/IpcError';
import type { Missing } from '../bindings/Missing';
import type { TeamDetail } from '../bindings/TeamDetail';

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

/** The UI's words for each reason an error can carry, keyed `kind.reason`. */
type DetailKey =
  | `invalid_input.${Invalid['reason']}`
  | `not_found.${Missing['reason']}`
  | `conflict.${Clash['reason']}`
  | `confirmation.${ChallengeRefusal['reason']}`
  | `unavailable.${DesktopProblem['reason']}`
  | `unavailable.${Exclude<TeamDetail['reason'], 'said'>}`;

// Every error kind and every reason the shell can send has words in English — and so, by
// ja's type, in Japanese: a reason added in Rust fails the type check until it is worded here.
const everyKindWorded: Record<`error.${ErrorKind}`, string> = en;
const everyReasonWorded: Record<DetailKey, string> = en;
void everyKindWorded;
void everyReasonWorded;

/**
 * A shell error in the user's words: the reason's own message with its fields when there is
 * one, else the kind's. The shell's English `message` is for logs and never shown.
 */
export function explain(err: IpcError): string {
  const detail = err.detail as ({ reason: string } & Record<string, unknown>) | undefined;
  // A team server's refusal the shell could not rebuild: in the server's (English) words.
  if (detail?.reason === 'said') return t('team.said', { message: String(detail.message) });
  const key = detail && `${err.kind}.${detail.reason}`;
  if (!key || !(key in en)) return t(`error.${err.kind}` as MessageKey);
  const params: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(detail)) {
    if (typeof value === 'string' || typeof value === 'number') params[name] = value;
  }
  if (typeof params.field === 'string' && `field.${params.field}` in en) {
    params.field = t(`field.${params.field}` as MessageKey);
  }
  return t(key as MessageKey, params);
}
