/** Dates as the user's locale writes them, with seconds (delivery logs are read to the second). */
export function formatTime(iso: string | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** The first bytes of a response body, on one line. */
export function firstBytes(text: string | undefined, max = 120): string {
  if (!text) return '';
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

export const DISABLED_REASONS: Record<string, string> = {
  user: 'disabled by a user',
  gone: 'the endpoint answered 410 Gone',
  failing: 'deliveries kept failing',
};
