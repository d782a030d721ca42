import { useEffect } from 'react';
import { getApi, onEngineLink } from '../bridge';
import { useConnectionStore } from '../stores/connection-store';
import { useDetailStore } from '../stores/detail-store';
import { loadDocuments, useDocumentsStore } from '../stores/documents-store';
import { useLastDropStore } from '../stores/last-drop-store';
import { useMetricsStore } from '../stores/metrics-store';
import { useSettingsStore } from '../stores/settings-store';
import { clearTeamDatabaseErrors } from '../stores/toast-store';

/** How often an open page asks the engine's journal for drops stopped part way elsewhere. */
const DROPS_CHECK_MS = 15_000;

/** Fetch the state of every store from the engine (at start and after a reconnect). */
function loadEverything(): void {
  void useConnectionStore.getState().load();
  void useSettingsStore.getState().load();
  void useMetricsStore.getState().load();
  void loadDocuments();
  void useDetailStore.getState().reload();
  // Drops stopped part way, perhaps on another page or before a restart (migration 025).
  void useLastDropStore.getState().loadUnfinished();
}

/**
 * The one place that listens to the engine: loads the first state of every store and feeds them
 * from engine events. Components only read stores.
 */
export function useEngineSync(): void {
  useEffect(() => {
    const api = getApi();
    const unsubscribe = [
      api.on('documents:changed', (changed) => {
        const { ids, counts } = changed;
        useDocumentsStore.getState().setCounts(counts, changed);
        useDocumentsStore.getState().requestRefresh();
        const { id: openId, detail } = useDetailStore.getState();
        // The open document, or the one it duplicates: its words and the side-by-side follow
        // that one's state (walk 18b: "was already added" stayed while the first one went out).
        const first = detail?.duplicateOf?.id;
        const touched =
          openId !== null && (ids.includes(openId) || (first != null && ids.includes(first)));
        if (touched) void useDetailStore.getState().reload();
      }),
      api.on('metrics:tick', (snapshot) => useMetricsStore.getState().apply(snapshot)),
      api.on('connection:changed', (status) => {
        const away = useConnectionStore.getState().status?.team?.reachable === false;
        useConnectionStore.getState().setStatus(status);
        // The team database answers again: the errors it caused are no longer true, and (once,
        // when it was away) the list and its figures, a dash while they could not be read, are
        // read again.
        if (status.team?.reachable) {
          clearTeamDatabaseErrors();
          if (away) useDocumentsStore.getState().requestRefresh();
        }
        // The provider or key may have been changed elsewhere (another window, the CLI): an open
        // Settings form shows it (the fields the clerk has not edited).
        const settings = useSettingsStore.getState();
        if (settings.open && !settings.saving) void settings.load('again');
      }),
      onEngineLink((state) => {
        useConnectionStore.getState().setLink(state);
        // Whatever changed while the stream was away was never heard of: fetch it all again. The
        // first open too (browser host): what changed between the first reads below and the
        // stream opening was not heard of either (CI run 117: a team joined right after the page
        // loaded, and the page kept the old outbox's header for good).
        if (state === 'open') loadEverything();
      }),
    ];
    loadEverything();
    // A drop another page stopped part way (its page closed) is said on this one too, without a
    // reload (walk 25 A3: an open page never said it). One small read of the journal.
    const drops = setInterval(
      () => void useLastDropStore.getState().loadUnfinished(),
      DROPS_CHECK_MS,
    );
    return () => {
      clearInterval(drops);
      unsubscribe.forEach((off) => off());
    };
  }, []);
}
