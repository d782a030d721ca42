import { useEffect } from 'react';
import { WaitingElsewhere } from './features/access-point/waiting-elsewhere';
import { MetricsCharts } from './features/charts/metrics-charts';
import { DetailPanel } from './features/detail/detail-panel';
import { DocumentTable } from './features/documents/document-table';
import { DocumentToolbar } from './features/documents/document-toolbar';
import { DropZone } from './features/drop/drop-zone';
import { AppHeader } from './features/header/app-header';
import { SettingsDialog } from './features/settings/settings-dialog';
import { ToastList } from './features/toasts/toast-list';
import { useEngineSync } from './hooks/use-engine-sync';
import { useDetailStore } from './stores/detail-store';

/** A file dropped outside the drop zone must not make the window navigate away to it. */
function usePreventStrayDrops(): void {
  useEffect(() => {
    const stop = (e: DragEvent) => e.preventDefault();
    window.addEventListener('dragover', stop);
    window.addEventListener('drop', stop);
    return () => {
      window.removeEventListener('dragover', stop);
      window.removeEventListener('drop', stop);
    };
  }, []);
}

export function App() {
  useEngineSync();
  usePreventStrayDrops();
  const detailOpen = useDetailStore((s) => s.id !== null);
  return (
    <div className="app">
      <AppHeader />
      <main className={`workspace${detailOpen ? ' has-detail' : ''}`}>
        <div className="documents">
          <DropZone />
          <WaitingElsewhere />
          <DocumentToolbar />
          <DocumentTable />
        </div>
        <DetailPanel />
      </main>
      <MetricsCharts />
      <SettingsDialog />
      <ToastList />
    </div>
  );
}
