import {
  accessPointLabel,
  type DocumentRow,
  type DocumentState,
  type Environment,
} from '../../../../app/contract';
import { STATUS_TONE, STATUS_WORDS, TONE_ICON } from '../../lib/status-words';

/** Icon plus plain words; the raw state is kept in `data-state` for tests and styling. */
export function StatusLabel({ id, state }: { id?: number; state: DocumentState }) {
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
      {STATUS_WORDS[state]}
    </span>
  );
}

const ENVIRONMENT_WORDS: Record<Environment, string> = {
  sandbox: 'Sandbox',
  test: 'Test',
  production: 'Production',
};

/** The environment a document is pinned to, as a small badge; its access point on hover. */
export function AccessPointTag({
  row,
}: {
  row: Pick<DocumentRow, 'id' | 'accessPoint' | 'environment'>;
}) {
  if (!row.environment) return null;
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
