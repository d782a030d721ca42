import { useEffect, useRef, useState, type FormEvent } from 'react';
import { refusalOf, type Settings } from '../../../../app/contract';
import { environmentFor } from '../../../../app/domain/environment';
import { ENVIRONMENT_WORDS } from '../../lib/format';
import { useConnectionStore } from '../../stores/connection-store';
import { useSettingsStore } from '../../stores/settings-store';
import { useToastStore } from '../../stores/toast-store';
import { SharedByTeam, sharedNoteId } from './shared-by-team';
import { Hint, hintId, describedBy } from './setting-hint';
import { HotFolderFields } from './hot-folder-fields';
import { TeamOutboxSection } from './team-outbox-section';
import { draftOf, patchOf, rebaseDraft, type Draft } from './settings-draft';

/** Provider, key, speed, hot folder and team outbox. A modal <dialog>: focus stays inside, Escape closes. */
export function SettingsDialog() {
  const open = useSettingsStore((s) => s.open);
  const settings = useSettingsStore((s) => s.settings);
  const error = useSettingsStore((s) => s.error);
  const setOpen = useSettingsStore((s) => s.setOpen);
  const dialog = useRef<HTMLDialogElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const returnFocus = useRef<HTMLElement | null>(null);

  // Read again when the window comes back to the front while open: another window (a second tab,
  // the CLI) may have changed them; the form updates what the clerk has not edited.
  useEffect(() => {
    if (!open) return;
    const reload = () => {
      if (document.visibilityState === 'visible') void useSettingsStore.getState().load('again');
    };
    window.addEventListener('focus', reload);
    document.addEventListener('visibilitychange', reload);
    return () => {
      window.removeEventListener('focus', reload);
      document.removeEventListener('visibilitychange', reload);
    };
  }, [open]);

  // Focus moves to the dialog's heading when it opens (the form is still loading) and back to
  // the control that opened it when it closes.
  useEffect(() => {
    const el = dialog.current;
    if (!el) return;
    if (open && !el.open) {
      const active = document.activeElement;
      returnFocus.current = active instanceof HTMLElement ? active : null;
      el.showModal();
      heading.current?.focus();
      void useSettingsStore.getState().load();
      // What the access point offers, asked again (walk 23b N7, walk 24: it had begun to take
      // groups; this dialog said it did not until a restart).
      void useConnectionStore.getState().check();
    } else if (!open && el.open) el.close();
    if (!open) {
      const target = returnFocus.current;
      returnFocus.current = null;
      if (target?.isConnected) target.focus();
    }
  }, [open]);

  return (
    <dialog
      ref={dialog}
      className="settings-dialog"
      data-testid="settings-dialog"
      aria-labelledby="settings-heading"
      onClose={() => setOpen(false)}
    >
      <h2 id="settings-heading" tabIndex={-1} ref={heading}>
        Settings
      </h2>
      {open && settings ? (
        // One form per opening (closed, it is gone); a later read of the settings updates the
        // fields the clerk has not edited.
        <SettingsForm settings={settings} />
      ) : (
        <p className="muted">{error ? error.message : 'Loading…'}</p>
      )}
    </dialog>
  );
}

function SettingsForm({ settings: latest }: { settings: Settings }) {
  const saving = useSettingsStore((s) => s.saving);
  const error = useSettingsStore((s) => s.error);
  const setOpen = useSettingsStore((s) => s.setOpen);
  const save = useSettingsStore((s) => s.save);
  // What the draft was made from; moved on when the settings are read again (see rebaseDraft).
  const [settings, setSettings] = useState<Settings>(latest);
  const [draft, setDraft] = useState<Draft>(() => draftOf(latest));
  const [changedElsewhere, setChangedElsewhere] = useState(false);
  const readAgain = useSettingsStore((s) => s.readAgain);
  if (latest !== settings) {
    const next = rebaseDraft(draft, settings, latest);
    setSettings(latest);
    setDraft(next.draft);
    // The read made on opening is not a change "elsewhere".
    if (next.changed && readAgain) setChangedElsewhere(true);
  }
  const [problem, setProblem] = useState<string | null>(null);
  // Said only once the connection check refused the key too (a 403 to an invoice may not be it).
  const keyRefused = useConnectionStore(
    (s) => s.status?.state === 'refused' && refusalOf(s.status) !== 'address',
  );
  // The provider URL in use leads to no access point: said at the URL, not the key (walk 24).
  const addressWrong = useConnectionStore(
    (s) => s.status?.state === 'refused' && refusalOf(s.status) === 'address',
  );
  // The engine says when no key is set at all (ConnectionStatus.apiKeySet): its rule, not a copy.
  const keyMissing = useConnectionStore((s) => s.status?.apiKeySet === false);
  const onTeam = useConnectionStore((s) => Boolean(s.status?.team));
  const groupsNotOffered = useConnectionStore((s) => s.status?.groups === 'not-offered');

  const update = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const [copied, setCopied] = useState(false);
  // The environment the key selects, shown beside it: the one typed, else the one saved.
  const typedKey = draft.apiKey.trim();
  const keyEnvironment = draft.removeKey
    ? environmentFor(null, draft.endpoint.trim() !== '')
    : typedKey
      ? environmentFor(typedKey)
      : settings.environment;
  // A provider address and no key (walk 18: "Sends to the provider's Test environment" under an
  // empty key field, and nothing said a key was missing).
  const providerWithoutKey =
    draft.endpoint.trim() !== '' && !typedKey && (draft.removeKey || !settings.apiKeySet);
  const copyDataPath = () => {
    void navigator.clipboard?.writeText(settings.dataDir).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  };

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const patch = patchOf(draft, settings);
    if (typeof patch === 'string') return setProblem(patch);
    setProblem(null);
    if (Object.keys(patch).length === 0) return setOpen(false);
    if (await save(patch)) {
      setOpen(false);
      useToastStore
        .getState()
        .push({ kind: 'success', title: 'Settings saved', lines: [], ttlMs: 5000 });
    }
  };

  return (
    <form onSubmit={(e) => void onSubmit(e)}>
      <p className="muted">
        Sending to: <strong>{ENVIRONMENT_WORDS[settings.environment]}</strong>
      </p>
      {changedElsewhere && (
        <p className="muted" role="status" data-testid="settings-changed-elsewhere">
          These settings were changed in another window: the fields you have not edited show the new
          values.
        </p>
      )}
      <label className="form-row">
        <span>Provider address</span>
        <input
          type="url"
          data-testid="settings-endpoint"
          placeholder="Built-in sandbox (no provider)"
          aria-describedby={hintId('endpoint')}
          readOnly={settings.endpointFixed === true}
          value={draft.endpoint}
          onChange={(e) => update({ endpoint: e.currentTarget.value })}
        />
      </label>
      <Hint name="endpoint">
        {settings.endpointFixed
          ? 'Given on the command line (--endpoint) when Peppol Desk was started: it cannot be changed here. Start Peppol Desk without --endpoint to set it in Settings.'
          : 'The web address your Peppol provider gave you for sending. Empty: the built-in Sandbox, where nothing is really sent.'}
      </Hint>
      {addressWrong && (
        <span className="problem-message" data-testid="settings-address-wrong">
          The address in use does not lead to an access point: it answered &quot;not found&quot; or
          with a web page. Check it (GoRoute: https://app.goroute.ai/peppol-api) and save: waiting
          invoices are then sent by themselves.
        </span>
      )}
      <label className="form-row">
        <span>API key</span>
        <input
          type="password"
          autoComplete="off"
          data-testid="settings-api-key"
          placeholder={settings.apiKeySet ? 'A key is set — type to replace it' : 'No key set'}
          value={draft.apiKey}
          disabled={draft.removeKey}
          onChange={(e) => update({ apiKey: e.currentTarget.value })}
          aria-describedby="settings-key-environment"
        />
        <span
          id="settings-key-environment"
          className={`key-environment is-${keyEnvironment}`}
          data-testid="settings-key-environment"
          aria-live="polite"
        >
          {providerWithoutKey
            ? // Walk 26 F1: "invoices wait here" while an access point that takes them without a key
              // was sent every one.
              'No key set: invoices go to this provider without one; most providers refuse that, and the invoices then wait here until a key is saved. Type the key your provider gave you.'
            : keyEnvironment === 'sandbox'
              ? 'No key: the built-in Sandbox (nothing is really sent)'
              : `${typedKey ? 'This key sends' : 'Sends'} to the provider's ${ENVIRONMENT_WORDS[keyEnvironment]} environment${keyEnvironment === 'production' ? ': invoices are really delivered' : ''}`}
        </span>
        <span className="muted small">
          Keys starting sk_test_ are Test keys; pk_goroute_ keys are Production.
        </span>
        {keyRefused && !typedKey && (
          <span className="problem-message" data-testid="settings-key-refused">
            {keyMissing
              ? 'No key is set for this provider.'
              : 'The access point does not accept the key in use.'}{' '}
            Type the key your provider gave you and save: waiting invoices are then sent by
            themselves.
          </span>
        )}
      </label>
      {settings.apiKeySet && (
        <div className="form-row form-row-inline">
          <span data-testid="settings-key-set">A key is set</span>
          <label>
            <input
              type="checkbox"
              checked={draft.removeKey}
              onChange={(e) => update({ removeKey: e.currentTarget.checked })}
            />{' '}
            Remove the key
          </label>
        </div>
      )}
      <fieldset className="form-row" aria-describedby={hintId('concurrency')}>
        <legend>Invoices sent at once</legend>
        <label>
          <input
            type="radio"
            name="concurrency"
            checked={draft.concurrencyAuto}
            onChange={() => update({ concurrencyAuto: true })}
          />{' '}
          Automatic
        </label>
        <label>
          <input
            type="radio"
            name="concurrency"
            checked={!draft.concurrencyAuto}
            onChange={() => update({ concurrencyAuto: false })}
          />{' '}
          This many:
        </label>
        <input
          type="number"
          min={1}
          max={256}
          aria-label="Number of invoices sent at once"
          disabled={draft.concurrencyAuto}
          value={draft.concurrency}
          onChange={(e) => update({ concurrency: e.currentTarget.value })}
        />
      </fieldset>
      <Hint name="concurrency">
        Send several invoices at once. Automatic is best for most accounts; set a number only if
        your provider asks for one.
      </Hint>
      <label className="form-row form-row-inline">
        <input
          type="checkbox"
          checked={draft.batching}
          aria-describedby={hintId('batching')}
          onChange={(e) => update({ batching: e.currentTarget.checked })}
        />
        <span>Send invoices in groups</span>
      </label>
      <Hint name="batching">
        Up to 100 invoices go to your provider in one request, faster for a large run, where your
        provider says it recognises a group sent twice (a group whose answer is lost is sent again);
        otherwise they go one by one.
        {!onTeam && groupsNotOffered && (
          // Walk 23: the box was ticked, and said "faster", against a provider that takes none.
          <span data-testid="settings-batching-one-by-one">
            {' '}
            Your access point does not say so: invoices go to it one by one whatever this says.
          </span>
        )}
        {onTeam && (
          // Walk 20: the setting said groups while a team sends one by one (every desk must be able
          // to send again what another began, under the same key).
          <span data-testid="settings-batching-team">
            {' '}
            On a team outbox invoices go one by one whatever this says.
          </span>
        )}
      </Hint>
      <label className="form-row form-row-inline">
        <input
          type="checkbox"
          checked={draft.gzip}
          aria-describedby={hintId('gzip')}
          onChange={(e) => update({ gzip: e.currentTarget.checked })}
        />
        <span>Make uploads smaller</span>
      </label>
      <Hint name="gzip">
        Invoices are compressed on their way to your provider: quicker on a slow connection. A
        provider that does not take it gets them as they are.
      </Hint>
      <label className="form-row">
        <span>Tries before an invoice is marked Failed</span>
        <input
          type="number"
          min={1}
          max={100}
          aria-describedby={describedBy('maxAttempts', sharedNoteId(settings, 'maxAttempts'))}
          value={draft.maxAttempts}
          onChange={(e) => update({ maxAttempts: e.currentTarget.value })}
        />
      </label>
      <Hint name="maxAttempts">
        When a send meets a server error or gets no answer in time, the invoice is tried again by
        itself, up to this many times in all; then it waits for you under Needs attention. While
        your provider cannot be reached, asks Peppol Desk to slow down or is having problems,
        invoices wait without using up their tries.
      </Hint>
      <SharedByTeam settings={settings} name="maxAttempts" />
      <label className="form-row">
        <span>Largest invoice file accepted (MB)</span>
        <input
          type="number"
          min={0.001}
          max={100}
          step="any"
          data-testid="settings-max-file-mb"
          aria-describedby={describedBy(
            'maxDocumentBytes',
            sharedNoteId(settings, 'maxDocumentBytes'),
          )}
          value={draft.maxFileMb}
          onChange={(e) => update({ maxFileMb: e.currentTarget.value })}
        />
      </label>
      <Hint name="maxDocumentBytes">
        A bigger file is not added: a message names it, and in the hot folder it moves to
        &quot;failed&quot; with the reason beside it.
      </Hint>
      <SharedByTeam settings={settings} name="maxDocumentBytes" />
      <label className="form-row">
        <span>Remember that a buyer is on Peppol for (minutes)</span>
        <input
          type="number"
          min={0}
          step="any"
          aria-describedby={describedBy(
            'lookupFoundTtlMs',
            sharedNoteId(settings, 'lookupFoundTtlMs'),
          )}
          value={draft.lookupFoundMinutes}
          onChange={(e) => update({ lookupFoundMinutes: e.currentTarget.value })}
        />
      </label>
      <Hint name="lookupFoundTtlMs">
        Before sending, your provider is asked whether the buyer can receive the invoice; its answer
        is used again for this long.
      </Hint>
      <SharedByTeam settings={settings} name="lookupFoundTtlMs" />
      <label className="form-row">
        <span>Ask again about a buyer not on Peppol after (minutes)</span>
        <input
          type="number"
          min={0}
          step="any"
          aria-describedby={describedBy(
            'lookupNotFoundTtlMs',
            sharedNoteId(settings, 'lookupNotFoundTtlMs'),
          )}
          value={draft.lookupNotFoundMinutes}
          onChange={(e) => update({ lookupNotFoundMinutes: e.currentTarget.value })}
        />
      </label>
      <Hint name="lookupNotFoundTtlMs">
        Your provider&apos;s answer that a buyer is not on Peppol is used again for this long; after
        it, the next invoice to that buyer asks again. Invoices already marked are not re-checked by
        themselves: Retry asks your provider again at once.
      </Hint>
      <SharedByTeam settings={settings} name="lookupNotFoundTtlMs" />
      <label className="form-row form-row-inline">
        <input
          type="checkbox"
          checked={draft.remoteValidation}
          aria-describedby={describedBy(
            'remoteValidation',
            sharedNoteId(settings, 'remoteValidation'),
          )}
          onChange={(e) => update({ remoteValidation: e.currentTarget.checked })}
        />
        <span>Also have the access point check each invoice before sending</span>
      </label>
      <Hint name="remoteValidation">
        The access point&apos;s own check can find what ours does not; each invoice takes a little
        longer.
      </Hint>
      <SharedByTeam settings={settings} name="remoteValidation" />
      <HotFolderFields draft={draft} update={update} />
      {settings.teamStore !== undefined && <TeamOutboxSection settings={settings} />}
      <div className="form-row">
        <span id="settings-data-label">Data location</span>
        <div className="form-row-inline">
          <input
            type="text"
            readOnly
            aria-labelledby="settings-data-label"
            data-testid="settings-data-dir"
            value={settings.dataDir}
            onFocus={(e) => e.currentTarget.select()}
          />
          <button
            type="button"
            className="button"
            data-testid="settings-copy-data-dir"
            onClick={copyDataPath}
          >
            {copied ? 'Copied' : 'Copy path'}
          </button>
        </div>
        <span className="muted small" data-testid="settings-data-note">
          Invoices, their history and settings are kept here; back it up like other accounting data.
          To use another folder, start Peppol Desk with the environment variable
          PEPPOL_DESK_DATA_DIR set to that folder (or, on the command line, --data-dir).
        </span>
      </div>
      {(problem ?? error?.message) && (
        <p className="problem-message" role="alert">
          {problem ?? error?.message}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={() => setOpen(false)}>
          Close
        </button>
        <button
          type="submit"
          className="button button-primary"
          data-testid="settings-save"
          disabled={saving}
        >
          {saving ? 'Saving…' : 'Save'}
        </button>
      </div>
    </form>
  );
}
