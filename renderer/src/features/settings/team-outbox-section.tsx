import { useState, type KeyboardEvent } from 'react';
import type { Settings } from '../../../../app/contract';
import { getApi } from '../../bridge';
import { useConnectionStore } from '../../stores/connection-store';
import { useDetailStore } from '../../stores/detail-store';
import { useDocumentsStore } from '../../stores/documents-store';
import { useMetricsStore } from '../../stores/metrics-store';
import { useToastStore } from '../../stores/toast-store';

/**
 * Settings → Team outbox: join a team's shared outbox with its PostgreSQL address (masked like
 * the API key, never shown again: only user@server:port/database) or leave it. Connect and
 * Leave act at once, apart from Save; what went wrong is said in place.
 */
export function TeamOutboxSection({ settings }: { settings: Settings }) {
  // Kept here, not in the settings store: reloading that would reset the form's unsaved edits.
  const [label, setLabel] = useState<string | null>(settings.teamStore?.label ?? null);
  const [address, setAddress] = useState('');
  const [busy, setBusy] = useState<'connect' | 'leave' | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  // What the header says: the team database cannot be reached now (walk 14: Settings still said
  // documents went to the team's queue).
  const unreachable = useConnectionStore((s) => s.status?.team?.reachable === false);

  const apply = async (teamStore: string | null) => {
    setBusy(teamStore === null ? 'leave' : 'connect');
    setProblem(null);
    const result = await getApi().invoke('settings:set', { teamStore });
    setBusy(null);
    if (!result.ok) return setProblem(result.error.message);
    const now = result.value.teamStore?.label ?? null;
    setLabel(now);
    setAddress('');
    // Another outbox: its documents and figures replace what the screen showed.
    useDetailStore.getState().show(null);
    useDocumentsStore.getState().clearSelection();
    void useMetricsStore.getState().load();
    useToastStore.getState().push({
      kind: 'success',
      title: now ? `Connected to the team outbox at ${now}` : "Back on this computer's own outbox",
      lines: [],
      ttlMs: 5000,
    });
  };

  const connect = () => {
    if (!address.trim()) return setProblem('Type the team database address first.');
    void apply(address.trim());
  };
  // Enter in the address field connects (it must not save the rest of the form).
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key !== 'Enter') return;
    e.preventDefault();
    connect();
  };

  return (
    <fieldset className="form-row team-outbox" data-testid="team-outbox">
      <legend>Team outbox</legend>
      <p className="muted small" id="team-outbox-about">
        Share one outbox with your team: every desk connected to the same database sees the same
        queue, and each invoice is sent once.
      </p>
      {label ? (
        <>
          {unreachable ? (
            <p data-testid="team-outbox-connected">
              Joined the team outbox at <strong>{label}</strong>, which cannot be reached now.
              Documents dropped here are kept on this computer and go to the team&apos;s queue when
              it answers.
            </p>
          ) : (
            <p data-testid="team-outbox-connected">
              Connected to the team outbox at <strong>{label}</strong>. Documents dropped here go to
              the team&apos;s queue.
            </p>
          )}
          <p className="muted small">
            Leaving brings this desk back to its own outbox on this computer; the team keeps its
            documents.
          </p>
          <div className="form-row-inline">
            <button
              type="button"
              className="button"
              data-testid="team-outbox-leave"
              disabled={busy !== null}
              onClick={() => void apply(null)}
            >
              {busy === 'leave' ? 'Leaving…' : 'Leave team'}
            </button>
          </div>
        </>
      ) : (
        <>
          <label className="form-row">
            <span>Team database address</span>
            <input
              type="password"
              autoComplete="off"
              spellCheck={false}
              data-testid="team-outbox-address"
              placeholder="postgresql://user:password@server:5432/database"
              value={address}
              disabled={busy !== null}
              aria-describedby="team-outbox-about team-outbox-kept"
              onChange={(e) => setAddress(e.currentTarget.value)}
              onKeyDown={onKeyDown}
            />
            <span className="muted small" id="team-outbox-kept">
              Ask whoever runs the team&apos;s PostgreSQL database for this address. Desks on this
              one computer may share a file instead: <code>sqlite:</code> and the file&apos;s path.
              The address is kept like the API key and never shown again, only where it is (the
              server and database name, or the file).
            </span>
          </label>
          <div className="form-row-inline">
            <button
              type="button"
              className="button"
              data-testid="team-outbox-connect"
              disabled={busy !== null}
              onClick={connect}
            >
              {busy === 'connect' ? 'Connecting…' : 'Connect'}
            </button>
          </div>
        </>
      )}
      {problem && (
        <p className="problem-message" role="alert" data-testid="team-outbox-problem">
          {problem}
        </p>
      )}
    </fieldset>
  );
}
