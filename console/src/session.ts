/**
 * The API key lives in sessionStorage only: never in a URL, a cookie or a log. It is gone when the tab
 * closes or the user signs out.
 */
const STORAGE_KEY = 'crm-webhooks.apiKey';

export function storedApiKey(): string | undefined {
  return sessionStorage.getItem(STORAGE_KEY) ?? undefined;
}

export function storeApiKey(key: string): void {
  sessionStorage.setItem(STORAGE_KEY, key);
}

export function forgetApiKey(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}
