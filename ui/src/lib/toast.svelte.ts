// One toast at a time, announced politely; a new one replaces the old.
export interface Toast {
  id: number;
  text: string;
  tone: 'ok' | 'error';
}

export const toasts = $state<{ current: Toast | null }>({ current: null });
let next = 1;
let timer: ReturnType<typeof setTimeout> | undefined;

export function toast(text: string, tone: Toast['tone'] = 'ok', ms = 6000): void {
  clearTimeout(timer);
  toasts.current = { id: next++, text, tone };
  timer = setTimeout(() => (toasts.current = null), ms);
}

export function dismissToast(): void {
  clearTimeout(timer);
  toasts.current = null;
}
