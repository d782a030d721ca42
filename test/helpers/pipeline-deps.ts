import type { AccessPointClient } from '../../app/access-point/client';
import { ParticipantCache } from '../../app/caches/participant-cache';
import { ValidationCache } from '../../app/caches/validation-cache';
import { Metrics } from '../../app/metrics/metrics';
import type { PipelineDeps, Validator } from '../../app/queue/pipeline';
import type { Db } from '../../app/store/db';
import type { DocumentsRepo } from '../../app/store/documents-repo';

/**
 * What a Pipeline under test needs beside its repository, access point and validator: the caches
 * on `db`, metrics, the sandbox environment and listeners that do nothing (`more` replaces any of
 * them; its `now` is the caches' and the metrics' clock too).
 */
export function pipelineDeps(
  db: Db,
  parts: { repo: DocumentsRepo; client: AccessPointClient; validator: Validator },
  more: Partial<PipelineDeps> = {},
): PipelineDeps {
  const { now } = more;
  return {
    ...parts,
    validationCache: new ValidationCache(db, now),
    participants: new ParticipantCache(db, 'stub', undefined, now),
    metrics: new Metrics(now),
    environment: 'sandbox',
    onChanged: () => undefined,
    onConnection: () => undefined,
    ...more,
  };
}
