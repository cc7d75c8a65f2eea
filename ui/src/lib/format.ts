// Dates and durations as people read them, in the current language.
import { lang, t } from './i18n/index.svelte';

export function dateTime(iso: string): string {
  return new Date(iso).toLocaleString(lang() === 'ja' ? 'ja-JP' : 'en-GB', {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

export function date(iso: string): string {
  return new Date(iso).toLocaleDateString(lang() === 'ja' ? 'ja-JP' : 'en-GB', {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
  });
}

/** "183 days ago", "1 day ago", "today" (whole days, as the key's age is counted). */
export function daysAgo(days: number): string {
  if (days <= 0) return t('time.today');
  if (days === 1) return t('time.ago_day');
  return t('time.ago_days', { n: days });
}

/** "6 d 23 h", "59 min 12 s": what is left of a grace window. */
export function remaining(untilIso: string, now: number): string {
  let secs = Math.max(0, Math.floor((Date.parse(untilIso) - now) / 1000));
  const days = Math.floor(secs / 86400);
  secs -= days * 86400;
  const hours = Math.floor(secs / 3600);
  secs -= hours * 3600;
  const mins = Math.floor(secs / 60);
  const s = secs - mins * 60;
  const ja = lang() === 'ja';
  if (days > 0) return ja ? `${days}日${hours}時間` : `${days} d ${hours} h`;
  if (hours > 0) return ja ? `${hours}時間${mins}分` : `${hours} h ${mins} min`;
  return ja ? `${mins}分${s}秒` : `${mins} min ${s} s`;
}

/** Microseconds as the call log shows them. */
export function latency(us: number): string {
  return us >= 1000 ? `${(us / 1000).toFixed(1)} ms` : `${us} µs`;
}
