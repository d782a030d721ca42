import type { CSSProperties } from 'react';
import { MetricsCharts } from './features/charts/metrics-charts';
import { DetailPanel } from './features/detail/detail-panel';
import { DocumentTable } from './features/documents/document-table';
import { DocumentToolbar } from './features/documents/document-toolbar';
import { DropZone } from './features/drop/drop-zone';
import { WindowDrop } from './features/drop/window-drop';
import { AppHeader } from './features/header/app-header';
import { InvoiceViewDialog } from './features/invoice/invoice-view';
import { SettingsDialog } from './features/settings/settings-dialog';
import { ToastList } from './features/toasts/toast-list';
import { useEngineSync } from './hooks/use-engine-sync';
import { useDetailStore, useDetailWidth } from './stores/detail-store';

export function App() {
  useEngineSync();
  const detailOpen = useDetailStore((s) => s.id !== null);
  const detailWidth = useDetailWidth((s) => s.width);
  return (
    <div className="app">
      <AppHeader />
      <main
        id="main"
        tabIndex={-1}
        className={`workspace${detailOpen ? ' has-detail' : ''}`}
        style={{ '--detail-width': `${detailWidth}px` } as CSSProperties}
      >
        <div className="documents">
          <DropZone />
          <DocumentToolbar />
          <DocumentTable />
          <MetricsCharts />
        </div>
        <DetailPanel />
      </main>
      <SettingsDialog />
      <InvoiceViewDialog />
      <ToastList />
      <WindowDrop />
    </div>
  );
}
