import type { StateCounts } from '../app/contract';
import { FILTER_STATES } from '../app/contract';

/** The queue at a glance: what is still moving, what needs someone, what went out. */
export interface QueueSummary {
  inProgress: number;
  attention: number;
  sent: number;
}

/** Sum the counts into the three groups the table's filters use. */
export function summarizeQueue(counts: StateCounts): QueueSummary {
  const sum = (states: readonly (keyof StateCounts)[]) =>
    states.reduce((n, s) => n + (counts[s] ?? 0), 0);
  return {
    inProgress: sum(FILTER_STATES.progress),
    attention: sum(FILTER_STATES.attention),
    sent: sum(FILTER_STATES.sent),
  };
}

/** The tray tooltip for a summary. */
export function trayTooltip(s: QueueSummary): string {
  const parts: string[] = [];
  if (s.inProgress) parts.push(`${s.inProgress} in progress`);
  if (s.attention) parts.push(`${s.attention} need${s.attention === 1 ? 's' : ''} attention`);
  return parts.length ? `Peppol Desk: ${parts.join(', ')}` : 'Peppol Desk: nothing waiting';
}

/** The part of a Tray the controller updates. */
export interface TrayLike {
  setToolTip(text: string): void;
  /** Text beside the icon (macOS menu bar; ignored elsewhere). */
  setTitle(title: string): void;
}

/**
 * Keeps the tray in step with the queue: the number in progress beside the icon (macOS) and in
 * the tooltip, with what needs attention. Touches the tray only when the text changes.
 */
export class TrayController {
  private tooltip = '';
  private title: string | null = null;

  constructor(
    private readonly tray: TrayLike,
    private readonly setBadgeCount: (count: number) => unknown = () => undefined,
  ) {}

  /** Show these counts. */
  update(counts: StateCounts): void {
    const summary = summarizeQueue(counts);
    const tooltip = trayTooltip(summary);
    if (tooltip !== this.tooltip) {
      this.tooltip = tooltip;
      this.tray.setToolTip(tooltip);
    }
    const title = summary.inProgress ? String(summary.inProgress) : '';
    if (title !== this.title) {
      this.title = title;
      this.tray.setTitle(title);
      this.setBadgeCount(summary.inProgress);
    }
  }
}
