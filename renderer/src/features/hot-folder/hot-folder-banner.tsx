import { useState } from 'react';
import { formatChange } from '../../lib/format';
import { useConnectionStore } from '../../stores/connection-store';

/**
 * What the hot folder could not do, on screen (a walk: files it refused went to its failed
 * folder and appeared nowhere in the window; a missing folder was not reported): the folder not
 * there, and the last files it could not take or move, each with why and what to do. "Dismiss"
 * hides the ones shown; new ones appear again.
 */
export function HotFolderBanner() {
  const hot = useConnectionStore((s) => s.status?.hotFolder);
  const [dismissedUpTo, setDismissedUpTo] = useState(0);
  if (!hot) return null;
  const notices = hot.notices.filter((n) => n.seq > dismissedUpTo);
  // All well: one quiet line, so the clerk can see the export folder is connected (a walk: the
  // window said nothing of it unless something went wrong).
  if (!hot.missing && notices.length === 0) {
    return (
      <p className="hot-folder-watching muted" data-testid="hot-folder-watching">
        Watching the hot folder <code>{hot.folder}</code>: invoices saved there are sent.
      </p>
    );
  }
  const count = notices.length;
  return (
    <div
      className="hot-folder-banner"
      data-testid="hot-folder-banner"
      role="region"
      aria-label="Hot folder"
    >
      {hot.missing && (
        <p data-testid="hot-folder-missing">
          <strong>The hot folder is not there:</strong> <code>{hot.folder}</code>. Files saved into
          it are taken as soon as it is back. Check that the drive or network share is connected, or
          choose another folder in Settings.
        </p>
      )}
      {count > 0 && (
        <>
          <p>
            <strong>
              {count === 1 ? 'One file' : `${count} files`} in the hot folder{' '}
              {count === 1 ? 'needs' : 'need'} your attention
            </strong>{' '}
            (<code>{hot.folder}</code>):
          </p>
          <ul className="hot-folder-notices" data-testid="hot-folder-notices">
            {notices.map((n) => (
              <li key={n.seq} data-testid="hot-folder-notice">
                {n.name && <strong>{n.name}</strong>}
                {n.name && ': '}
                {n.message} <span className="muted">({formatChange(n.at)})</span>
              </li>
            ))}
          </ul>
          <div className="waiting-elsewhere-actions">
            <button
              type="button"
              className="button"
              data-testid="hot-folder-dismiss"
              onClick={() => setDismissedUpTo(notices[notices.length - 1]!.seq)}
            >
              Dismiss
            </button>
          </div>
        </>
      )}
    </div>
  );
}
