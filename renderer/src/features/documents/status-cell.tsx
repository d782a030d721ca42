import {
  accessPointLabel,
  type DocumentRow,
  type DocumentState,
  type Environment,
} from '../../../../app/contract';
import { STATUS_TONE, TONE_ICON, statusWordsOf } from '../../lib/status-words';

/** Icon plus plain words; the raw state is kept in `data-state` for tests and styling. */
export function StatusLabel({
  id,
  state,
  problemCode,
}: {
  id?: number;
  state: DocumentState;
  problemCode?: string | null;
}) {
  const tone = STATUS_TONE[state];
  return (
    <span
      className={`status status-${tone}`}
      data-testid={id === undefined ? undefined : `status-${id}`}
      data-state={state}
    >
      <span className="status-icon" aria-hidden="true">
        {TONE_ICON[tone]}
      </span>
      {statusWordsOf(state, problemCode)}
    </span>
  );
}

const ENVIRONMENT_WORDS: Record<Environment, string> = {
  sandbox: 'Sandbox',
  test: 'Test',
  production: 'Production',
};

/**
 * The environment a document is pinned to, as a small badge (its access point on hover), shown
 * only when that is not the access point in use (`current`): the header names that one, and a
 * badge on every row left no room for the status itself. Rows queued before a change of provider
 * keep saying where they go.
 */
export function AccessPointTag({
  row,
  current,
}: {
  row: Pick<DocumentRow, 'id' | 'accessPoint' | 'environment'>;
  /** The access point in use (`ConnectionStatus.accessPoint`); undefined until it is known. */
  current: string | undefined;
}) {
  if (!row.environment || current === undefined || row.accessPoint === current) return null;
  const where = accessPointLabel(row.accessPoint, row.environment);
  return (
    <span
      className={`env-badge row-env env-${row.environment}`}
      data-testid={`env-tag-${row.id}`}
      title={`Queued for ${where}`}
      aria-label={`Queued for ${where}`}
    >
      {ENVIRONMENT_WORDS[row.environment]}
    </span>
  );
}
