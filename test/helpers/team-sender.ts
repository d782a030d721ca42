/**
 * A team desk's send loop (DeskSender) for the tests that drive one on its own: a memory store
 * or a real one, a fake access point client, the default retry policy, a 30 s lease, no spool
 * (an outage throws).
 */
import type { AccessPointClient } from '../../app/access-point/client';
import { DEFAULT_RETRY_POLICY } from '../../app/domain/retry-policy';
import { Metrics } from '../../app/metrics/metrics';
import { DeskSender } from '../../app/team/desk-sender';
import type { TeamStore } from '../../app/team/store';

export function testSender(
  store: TeamStore,
  client: AccessPointClient,
  deskId: string,
  concurrency: number | 'auto',
): DeskSender {
  return new DeskSender({
    store,
    deskId,
    client: () => client,
    metrics: new Metrics(),
    retry: () => DEFAULT_RETRY_POLICY,
    concurrency,
    leaseMs: 30_000,
    spoolOutcome: () => undefined,
    onUnavailable: (err) => {
      throw err;
    },
    onChanged: () => undefined,
  });
}
