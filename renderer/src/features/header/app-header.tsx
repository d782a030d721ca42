import { refusalOf, type ConnectionStatus } from '../../../../app/contract';
import { environmentMismatch } from '../../../../app/domain/environment';
import type { LinkState } from '../../bridge';
import {
  ENVIRONMENT_WORDS,
  SANDBOX_WORDS,
  countOrDash,
  filterCount,
  formatCount,
} from '../../lib/format';
import { useConnectionStore } from '../../stores/connection-store';
import { useCountsKnown } from '../../hooks/use-counts-known';
import { useDocumentsStore } from '../../stores/documents-store';
import { useSettingsStore } from '../../stores/settings-store';
import { usePractice } from '../../hooks/use-practice';
import { TeamBadge, TeamOtherAccessPointBanner, TeamUnreachableBanner } from './team-status';

function connectionWords(status: ConnectionStatus, waiting: number): string {
  // On a team outbox "offline" is the team database, not the access point.
  if (status.team && !status.team.reachable) return 'Team database unreachable';
  switch (status.state) {
    case 'online':
      return 'Online';
    case 'offline':
      return `Offline — ${formatCount(waiting)} waiting`;
    case 'throttled':
      return 'Throttled';
    case 'checking':
      return `Checking the API key — ${formatCount(waiting)} waiting`;
    case 'refused':
      // The key works, but not for sending (walk 20b: "API key not accepted" then); the URL
      // leads to no access point (walk 24: "API key not accepted" then too).
      return {
        'no-key': `No API key — ${formatCount(waiting)} waiting`,
        sends: `Sending refused — ${formatCount(waiting)} waiting`,
        address: `Provider URL wrong — ${formatCount(waiting)} waiting`,
        key: `API key not accepted — ${formatCount(waiting)} waiting`,
      }[refusalOf(status)];
    case 'trouble':
      return `Access point having problems — ${formatCount(waiting)} waiting`;
    case 'connecting':
      return 'Connecting…';
  }
}

/**
 * What the header says while this page has no event stream to Peppol Desk (browser host only):
 * the state's words, and what to do when waiting will not help.
 */
export const LINK_WORDS: Record<Exclude<LinkState, 'open'>, { state: string; message?: string }> = {
  lost: { state: 'Reconnecting to Peppol Desk…' },
  unanswered: {
    state: 'Peppol Desk is not answering',
    message:
      'If Peppol Desk was closed, open it again from the app or the command line: it opens a new page. This page connects again by itself if Peppol Desk comes back here.',
  },
  ended: {
    state: 'This page is no longer connected',
    message:
      'This page’s session has ended: Peppol Desk was most likely started again. Use the page it opened, or open Peppol Desk again from the app or the command line.',
  },
};

/** Why "No API key set" is shown beside the provider's badge. */
const NO_KEY_NOTE =
  'A provider address is set in Settings, but no API key: invoices go to it without one; most providers refuse that, and the invoices then wait here until you enter the key your provider gave you in Settings.';

/**
 * What "Sent" counts, said where it is shown (walk 22: read as "went out", it fell when a buyer
 * rejected an invoice that had gone out).
 */
const SENT_WORDS =
  'Accepted by your access point, delivered, or answered well by the buyer. An invoice whose delivery failed, or that the buyer rejected or queried, is counted under Needs attention instead.';

/** What "Practice to clear" counts, said where it is shown. */
const PRACTICE_ATTENTION_WORDS =
  'Practice copies sent to the built-in Sandbox that ended with a problem: nothing reached Peppol or a buyer. Not counted in Needs attention; clear them with Cancel, or Mark as handled where Cancel is not offered.';

/** What the Test badge means, said where it is shown. */
const TEST_WORDS =
  'Your provider’s test environment (its key starts with sk_test_): invoices go through the provider’s test system, not to real buyers. A production key sends for real.';

/** What "Sent in practice" counts, said where it is shown. */
const PRACTICE_SENT_WORDS =
  'Sent to the built-in Sandbox while practising: nothing reached Peppol or a buyer. Not counted in Sent.';

/** App name, environment, connection, queue counts and the pause switch. */
export function AppHeader() {
  const status = useConnectionStore((s) => s.status);
  const switching = useConnectionStore((s) => s.switching);
  const link = useConnectionStore((s) => s.link);
  const linked = link === 'open';
  const unlinked = link === 'open' ? null : LINK_WORDS[link];
  const togglePause = useConnectionStore((s) => s.togglePause);
  const counts = useDocumentsStore((s) => s.counts);
  const openSettings = useSettingsStore((s) => s.setOpen);

  const { practising: practice, apart: practiceApart, attentionApart } = usePractice();
  const { known, heard, title: countsWhy } = useCountsKnown();
  const inProgress = filterCount(counts, 'progress');
  const attention = filterCount(counts, 'attention') - attentionApart;
  const sentAll = filterCount(counts, 'sent');
  // A desk that sends for real counts its earlier practice apart (usePractice). While practising,
  // the note above says nothing is really sent.
  const sent = sentAll - practiceApart;
  // Live from the counts (every change event carries them); the status event only comes on a switch.
  const waiting = counts.queued + counts.retry_wait + counts.sending;
  // The key's prefix guesses the environment; the access point's own answer says where invoices
  // go, and the badge follows it when they differ (api-contract: show its `environment`).
  const mismatch = status
    ? environmentMismatch(status.environment, status.accessPointEnvironment)
    : null;
  const badgeEnvironment = mismatch?.environment ?? status?.environment;
  const said = status?.accessPointEnvironment
    ? ` · The access point says: ${status.accessPointEnvironment}`
    : '';

  return (
    <header className="app-header">
      <h1 className="app-name">Peppol Desk</h1>
      {status && badgeEnvironment && (
        <span
          className={`env-badge env-${badgeEnvironment}`}
          data-testid="env-badge"
          title={status.environment === 'sandbox' ? SANDBOX_WORDS : `${status.endpoint}${said}`}
        >
          {ENVIRONMENT_WORDS[badgeEnvironment]}
        </span>
      )}
      {mismatch && (
        <span className="env-note env-mismatch" data-testid="env-mismatch" title={mismatch.long}>
          {mismatch.short}
        </span>
      )}
      {practice && (
        // Said on the main screen, not only in Settings: Sent and Delivered here are practice.
        <span className="env-note" data-testid="env-note" title={SANDBOX_WORDS}>
          Practice: nothing is really sent
        </span>
      )}
      {badgeEnvironment === 'test' && !mismatch && (
        // Walk 22: "Test" alone did not say whether buyers receive anything.
        <span className="env-note" data-testid="test-note" title={TEST_WORDS}>
          No real buyer receives these
        </span>
      )}
      {linked && status?.apiKeySet === false && status.state !== 'refused' && (
        // Before any invoice meets a refusal: with no key, a provider takes none.
        <span className="env-note env-mismatch" data-testid="no-key-note" title={NO_KEY_NOTE}>
          No API key set
        </span>
      )}
      {linked && status?.team && <TeamBadge team={status.team} />}
      <span
        className={`connection connection-${linked ? (status?.state ?? 'connecting') : 'unlinked'}`}
        data-testid="connection-state"
        data-state={linked ? (status?.state ?? 'connecting') : 'unlinked'}
        data-link={link}
        title={status?.message ?? undefined}
        role="status"
      >
        <span className="connection-dot" aria-hidden="true" />
        {unlinked ? unlinked.state : status ? connectionWords(status, waiting) : 'Connecting…'}
        {linked && status?.paused && (
          // A team desk's pause stops this desk only: what it adds is sent by the others, when
          // some send (a paused desk is not counted among them).
          <span className="paused-note" data-testid="paused-note">
            {!status.team
              ? ' · Paused'
              : (status.team.sendersOnline ?? 0) > 0
                ? ' · Paused here: the team’s other desks still send'
                : ' · Paused here, and no other desk of the team is sending now: nothing goes out'}
          </span>
        )}
      </span>
      {/* Not connected: the figures are the last ones heard, said so (walk 8: an old page kept
          "In progress 13" as if live while Peppol Desk had finished them). */}
      <dl
        className={unlinked ? 'queue-counts queue-counts-stale' : 'queue-counts'}
        aria-label={unlinked ? 'Queue, last known figures (not live)' : 'Queue'}
        title={countsWhy}
      >
        <div>
          <dt>In progress</dt>
          <dd data-testid="count-progress">{countOrDash(inProgress, known)}</dd>
        </div>
        <div title={known ? SENT_WORDS : countsWhy}>
          <dt>Sent</dt>
          <dd data-testid="count-sent">{countOrDash(sent, known)}</dd>
        </div>
        {practiceApart > 0 && (
          <div title={PRACTICE_SENT_WORDS}>
            <dt>Sent in practice</dt>
            <dd data-testid="count-practice">{countOrDash(practiceApart, known)}</dd>
          </div>
        )}
        <div className={attention > 0 && known ? 'has-attention' : undefined}>
          <dt>Needs attention</dt>
          <dd data-testid="count-attention">{countOrDash(attention, known)}</dd>
        </div>
        {attentionApart > 0 && (
          <div title={PRACTICE_ATTENTION_WORDS}>
            <dt>Practice to clear</dt>
            <dd data-testid="count-practice-attention">{countOrDash(attentionApart, known)}</dd>
          </div>
        )}
      </dl>
      {unlinked && heard && (
        <span className="counts-stale" data-testid="counts-stale">
          Last known, not live
        </span>
      )}
      <div className="header-actions">
        <button
          type="button"
          className="button"
          data-testid="pause-toggle"
          aria-pressed={status?.paused ?? false}
          disabled={!status || switching}
          onClick={() => void togglePause()}
        >
          {status?.paused ? 'Resume sending' : 'Pause sending'}
        </button>
        <button
          type="button"
          className="button"
          data-testid="open-settings"
          onClick={() => openSettings(true)}
        >
          Settings
        </button>
      </div>
      {unlinked ? (
        unlinked.message && (
          <p className="connection-message" data-testid="connection-message">
            {unlinked.message}
          </p>
        )
      ) : status?.team && !status.team.reachable ? (
        <TeamUnreachableBanner />
      ) : status?.team?.sends === false && status.message ? (
        <TeamOtherAccessPointBanner message={status.message} />
      ) : (
        status?.message &&
        status.state !== 'online' && (
          <p className="connection-message" data-testid="connection-message">
            {status.message}
          </p>
        )
      )}
    </header>
  );
}
