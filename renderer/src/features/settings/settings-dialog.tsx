import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { Settings, SettingsPatch } from '../../../../app/contract';
import { environmentFor } from '../../../../app/domain/environment';
import { ENVIRONMENT_WORDS } from '../../lib/format';
import { useConnectionStore } from '../../stores/connection-store';
import { useSettingsStore } from '../../stores/settings-store';
import { useToastStore } from '../../stores/toast-store';
import { SharedByTeam, sharedNoteId } from './shared-by-team';
import { Hint, hintId, describedBy } from './setting-hint';
import { HotFolderFields } from './hot-folder-fields';
import { TeamOutboxSection } from './team-outbox-section';

interface Draft {
  endpoint: string;
  apiKey: string;
  removeKey: boolean;
  concurrencyAuto: boolean;
  concurrency: string;
  batching: boolean;
  gzip: boolean;
  maxAttempts: string;
  maxFileMb: string;
  lookupFoundMinutes: string;
  lookupNotFoundMinutes: string;
  remoteValidation: boolean;
  hotFolder: string;
  hotFolderMove: boolean;
  hotFolderSubfolders: boolean;
}

function draftOf(s: Settings): Draft {
  return {
    endpoint: s.endpoint ?? '',
    apiKey: '',
    removeKey: false,
    concurrencyAuto: s.concurrency === 'auto',
    concurrency: s.concurrency === 'auto' ? '8' : String(s.concurrency),
    batching: s.batching,
    gzip: s.gzip,
    maxAttempts: String(s.maxAttempts),
    maxFileMb: String(round2(s.maxDocumentBytes / MB)),
    lookupFoundMinutes: String(round2(s.lookupFoundTtlMs / MINUTE)),
    lookupNotFoundMinutes: String(round2(s.lookupNotFoundTtlMs / MINUTE)),
    remoteValidation: s.remoteValidation,
    hotFolder: s.hotFolder ?? '',
    hotFolderMove: s.hotFolderMove,
    hotFolderSubfolders: s.hotFolderSubfolders,
  };
}

const MB = 1024 * 1024;
const MINUTE = 60_000;
const round2 = (n: number) => Math.round(n * 100) / 100;

/** Only what changed; the API key is sent only when typed (or removed), never read back. */
function patchOf(d: Draft, s: Settings): SettingsPatch | string {
  const patch: SettingsPatch = {};
  const endpoint = d.endpoint.trim() || null;
  if (endpoint !== null) {
    try {
      const url = new URL(endpoint);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error();
    } catch {
      return 'The provider address must be a web address starting with https://';
    }
  }
  if (endpoint !== s.endpoint) patch.endpoint = endpoint;
  if (d.removeKey) patch.apiKey = null;
  else if (d.apiKey.trim()) patch.apiKey = d.apiKey.trim();
  const concurrency = d.concurrencyAuto ? 'auto' : Number(d.concurrency);
  if (
    concurrency !== 'auto' &&
    (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256)
  ) {
    return 'The number of invoices sent at once must be a whole number from 1 to 256, or Automatic.';
  }
  if (concurrency !== s.concurrency) patch.concurrency = concurrency;
  if (d.batching !== s.batching) patch.batching = d.batching;
  if (d.gzip !== s.gzip) patch.gzip = d.gzip;
  const maxAttempts = Number(d.maxAttempts);
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 100) {
    return 'Tries must be a whole number from 1 to 100.';
  }
  if (maxAttempts !== s.maxAttempts) patch.maxAttempts = maxAttempts;
  const maxFileMb = Number(d.maxFileMb);
  if (!Number.isFinite(maxFileMb) || maxFileMb < 0.001 || maxFileMb > 100) {
    return 'The largest file must be between 0.001 and 100 MB.';
  }
  const maxDocumentBytes = Math.round(maxFileMb * MB);
  if (maxDocumentBytes !== s.maxDocumentBytes) patch.maxDocumentBytes = maxDocumentBytes;
  for (const [field, key, current] of [
    [d.lookupFoundMinutes, 'lookupFoundTtlMs', s.lookupFoundTtlMs],
    [d.lookupNotFoundMinutes, 'lookupNotFoundTtlMs', s.lookupNotFoundTtlMs],
  ] as const) {
    const minutes = Number(field);
    if (!Number.isFinite(minutes) || minutes < 0 || minutes > 7 * 24 * 60) {
      return "How long a provider's answer about a buyer is remembered must be between 0 minutes and 7 days.";
    }
    const ms = Math.round(minutes * MINUTE);
    if (ms !== current) patch[key] = ms;
  }
  if (d.remoteValidation !== s.remoteValidation) patch.remoteValidation = d.remoteValidation;
  const hotFolder = d.hotFolder.trim() || null;
  if (hotFolder !== s.hotFolder) patch.hotFolder = hotFolder;
  if (d.hotFolderMove !== s.hotFolderMove) patch.hotFolderMove = d.hotFolderMove;
  if (d.hotFolderSubfolders !== s.hotFolderSubfolders)
    patch.hotFolderSubfolders = d.hotFolderSubfolders;
  return patch;
}

/** Provider, key, speed, hot folder and team outbox. A modal <dialog>: focus stays inside, Escape closes. */
export function SettingsDialog() {
  const open = useSettingsStore((s) => s.open);
  const settings = useSettingsStore((s) => s.settings);
  const error = useSettingsStore((s) => s.error);
  const setOpen = useSettingsStore((s) => s.setOpen);
  const dialog = useRef<HTMLDialogElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const returnFocus = useRef<HTMLElement | null>(null);

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
        // Keyed by the settings object: the draft starts again from what the engine holds.
        <SettingsForm key={settingsKey(settings)} settings={settings} />
      ) : (
        <p className="muted">{error ? error.message : 'Loading…'}</p>
      )}
    </dialog>
  );
}

const formKeys = new WeakMap<Settings, number>();
let nextFormKey = 1;
function settingsKey(s: Settings): number {
  let key = formKeys.get(s);
  if (key === undefined) {
    key = nextFormKey++;
    formKeys.set(s, key);
  }
  return key;
}

function SettingsForm({ settings }: { settings: Settings }) {
  const saving = useSettingsStore((s) => s.saving);
  const error = useSettingsStore((s) => s.error);
  const setOpen = useSettingsStore((s) => s.setOpen);
  const save = useSettingsStore((s) => s.save);
  const [draft, setDraft] = useState<Draft>(() => draftOf(settings));
  const [problem, setProblem] = useState<string | null>(null);
  // Said only once the connection check refused the key too (a 403 to an invoice may not be it).
  const keyRefused = useConnectionStore((s) => s.status?.state === 'refused');
  // The engine says when no key is set at all (ConnectionStatus.apiKeySet): its rule, not a copy.
  const keyMissing = useConnectionStore((s) => s.status?.apiKeySet === false);

  const update = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const [copied, setCopied] = useState(false);
  // The environment the key selects, shown beside it: the one typed, else the one saved.
  const typedKey = draft.apiKey.trim();
  const keyEnvironment = draft.removeKey
    ? environmentFor(null, draft.endpoint.trim() !== '')
    : typedKey
      ? environmentFor(typedKey)
      : settings.environment;
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
      <label className="form-row">
        <span>Provider address</span>
        <input
          type="url"
          data-testid="settings-endpoint"
          placeholder="Built-in sandbox (no provider)"
          aria-describedby={hintId('endpoint')}
          value={draft.endpoint}
          onChange={(e) => update({ endpoint: e.currentTarget.value })}
        />
      </label>
      <Hint name="endpoint">
        The web address your Peppol provider gave you for sending. Empty: the built-in Sandbox,
        where nothing is really sent.
      </Hint>
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
          {keyEnvironment === 'sandbox'
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
        Up to 100 invoices go to your provider in one request: faster for a large run. A provider
        without it gets them one by one.
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
        When your provider cannot be reached or is busy, an invoice is tried again by itself, up to
        this many times in all; then it waits for you under Needs attention.
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
        A buyer who was not on Peppol may have joined since: after this long, your provider is asked
        again.
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
