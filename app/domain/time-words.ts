// One way to write a moment for a person: the screen's fields and timeline, and the CLI. Words the
// engine stores (a problem's message) carry no time: they would keep the engine's time zone.
// The clerk's locale decides the words ("Dec 4, 2026, 2:05:33 PM", "4 déc. 2026, 14:05:33").

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** A local date and time in the clerk's locale, with the month in words (never 12/04 or 04/12). */
export function formatDateTime(ms: number): string {
  return dateTime.format(ms);
}
