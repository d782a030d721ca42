import type { CSSProperties } from 'react';
import { WaitingElsewhere } from './features/access-point/waiting-elsewhere';
import { HotFolderBanner } from './features/hot-folder/hot-folder-banner';
import { ConfirmDialog } from './features/confirm/confirm-dialog';
import { MetricsCharts } from './features/charts/metrics-charts';
import { DetailPanel } from './features/detail/detail-panel';
import { DocumentTable } from './features/documents/document-table';
import { useSelectAllShortcut } from './features/documents/select-all';
import { DocumentToolbar } from './features/documents/document-toolbar';
import { StaleListNote } from './features/documents/stale-list-note';
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
  useSelectAllShortcut();
  const detailOpen = useDetailStore((s) => s.id !== null);
  const detailWidth = useDetailWidth((s) => s.width);
  return (
    <div className="app">
      <a
        className="skip-link"
        href="#document-table"
        data-testid="skip-link"
        onClick={(e) => {
          e.preventDefault();
          // The table's one tab stop (its active row), or the table itself when it is empty.
          const table = document.getElementById('document-table');
          const row = table?.querySelector<HTMLElement>('[role="row"][tabindex="0"]');
          (row ?? table)?.focus();
        }}
      >
        Skip to the documents
      </a>
      <AppHeader />
      <main
        id="main"
        tabIndex={-1}
        className={`workspace${detailOpen ? ' has-detail' : ''}`}
        style={{ '--detail-width': `${detailWidth}px` } as CSSProperties}
      >
        <div className="documents">
          <DropZone />
          <WaitingElsewhere />
          <HotFolderBanner />
          <DocumentToolbar />
          <StaleListNote />
          <DocumentTable />
          <MetricsCharts />
        </div>
        <DetailPanel />
      </main>
      <SettingsDialog />
      <InvoiceViewDialog />
      <ConfirmDialog />
      <ToastList />
      <WindowDrop />
    </div>
  );
}
