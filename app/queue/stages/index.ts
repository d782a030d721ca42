import type { ConnectionStatus, Environment } from '../../contract';
import type { AccessPointClient } from '../../access-point/client';
import { PROBE_MAX_MS } from '../../access-point/reachability';
import type { ParticipantCache } from '../../caches/participant-cache';
import type { RemoteValidationCache } from '../../caches/remote-validation-cache';
import type { ValidationCache } from '../../caches/validation-cache';
import type { Metrics } from '../../metrics/metrics';
import type { DocumentsRepo } from '../../store/documents-repo';
import type { PollPlace } from '../../store/poll-reads';
import { ConnectionHealth, type ConnectionContext } from './connection';
import type { StageContext } from './context';
import { DeliveryTracking, type DeliveryContext } from './delivery';
import { DEFAULT_DELIVERY_OPTIONS } from './delivery-judge';
import { pollsInFlightFor } from '../../sender/poll-budget';
import { Recovery, type RecoveryContext } from './recovery';
import { ResolveStage, type ResolveContext } from './resolve';
import { ValidateStage, type ValidateContext, type Validator } from './validate';

export type { Validator };

/** What the pipeline needs from the rest of the engine. */
export interface PipelineDeps {
  repo: DocumentsRepo;
  client: AccessPointClient;
  validator: Validator;
  validationCache: ValidationCache;
  /** Cache of the access point's `/validate` answers (used when remote validation is on). */
  remoteValidationCache?: RemoteValidationCache;
  participants: ParticipantCache;
  metrics: Metrics;
  environment: Environment;
  /**
   * The access point in use as documents are pinned to it (`sandbox` for the built-in one). When
   * set, documents queued for another access point are held until the clerk reroutes them.
   */
  accessPoint?: string;
  /** Called with the ids of documents whose state changed. */
  onChanged(ids: number[]): void;
  onConnection(status: ConnectionStatus): void;
  /**
   * An earlier place's client is no longer needed (nothing awaits delivery there, or it is in
   * use again): close it and forget the key kept for it.
   */
  onEarlierDone?(place: PollPlace, client: AccessPointClient): void;
  /**
   * When the built-in Sandbox in use started (null: none in use). It knows nothing it was sent
   * before: a 404 about a document it accepted earlier means it restarted and forgot it.
   */
  builtInSandboxSince?(): number | null;
  /**
   * The access point just left when its provider URL led to no access point (nothing waiting
   * for it can have reached one there), else null: what waits for it goes on through the one in
   * use, its buyer looked up there, instead of being held for a decision (walk 25 B5).
   */
  ledNowhereFrom?(): string | null;
  now?: () => number;
  random?: () => number;
}

/** Tunables of the stages other than sending; all have defaults. */
export interface StageOptions {
  /** Delivery polling: first poll after this, then doubling up to the max. */
  pollInitialMs?: number;
  pollMaxMs?: number;
  /** Offline probing: first probe after this, doubling up to the max (PROBE_MAX_MS). */
  probeInitialMs?: number;
  probeMaxMs?: number;
  /** A run of 5xx or timeouts this long says "trouble" (default 5 s; tests). */
  troubleAfterMs?: number;
  /** Also ask the access point's `/validate` before sending (default off). */
  remoteValidation?: boolean;
  /** After delivery, keep asking for the buyer's business response this long (default 1 h). */
  responseWindowMs?: number;
  /** The longest wait between questions about the buyer's response (default 10 × pollMaxMs). */
  responsePollMaxMs?: number;
  /**
   * Status requests per access point: per second (default 20) and in flight (default half the
   * send concurrency, at most 8); see app/sender/poll-budget.ts.
   */
  pollBudget?: { perSecond?: number; inFlight?: number };
  /** Track delivery after acceptance (polling transactions). */
  trackDelivery?: boolean;
  /**
   * Stop polling a transaction the access point has not confirmed as delivered (or failed) this
   * long after acceptance (default 7 days); the document stays accepted with a problem.
   */
  deliveryTimeoutMs?: number;
  /** A 404 about a transaction this long after acceptance: stop asking (default 10 minutes). */
  notFoundAfterMs?: number;
  /** How often to look for documents left in `sending` with no request in flight (default 5 s). */
  stuckCheckMs?: number;
  paused?: boolean;
  /**
   * After a failed write, try again on its own this long after (default 30 s; Resume tries at
   * once). The CLI has no Resume button: this is how it goes on once space is freed.
   */
  faultRetryMs?: number;
}

/** What the pipeline lends its stages besides the common context: its own state. */
export interface PipelineHooks {
  paused(): boolean;
  pausedAt(): number | null;
  running(): boolean;
  /** Documents claimed ahead of time go back to the queue, saying why (the send stage). */
  releaseReady(reason: string): void;
  /** No send request is in flight. */
  sendIdle(): boolean;
  /** How many more documents validation may take now (see ValidateContext.checkRoom). */
  checkRoom(): number;
}

/** The stages the pipeline drives (sending apart: the pipeline wires it itself). */
export interface Stages {
  validation: ValidateStage;
  resolution: ResolveStage;
  delivery: DeliveryTracking;
  recovery: Recovery;
  health: ConnectionHealth;
}

/**
 * Build the stages around one context: the `base` the send stage shares, what changes on a
 * reconnect (access point, environment, caches) read from `deps` at use, and the pipeline's
 * state from `hooks`. Each stage sees the context through its own narrow interface.
 */
export function createStages(
  base: StageContext,
  deps: PipelineDeps,
  hooks: PipelineHooks,
  options: StageOptions & {
    pollInitialMs: number;
    trackDelivery: boolean;
    concurrency: number | 'auto';
  },
): Stages {
  const ctx: ValidateContext &
    ResolveContext &
    DeliveryContext &
    RecoveryContext &
    ConnectionContext = {
    repo: base.repo,
    metrics: base.metrics,
    lifecycle: base.lifecycle,
    now: base.now,
    random: base.random,
    track: (p) => base.track(p),
    kick: () => base.kick(),
    noteOutcome: (outcome, request, subject) => base.noteOutcome(outcome, request, subject),
    validator: deps.validator,
    validationCache: deps.validationCache,
    // Read at use: a reconnect swaps the client.
    get client() {
      return base.client;
    },
    get accessPoint() {
      return deps.accessPoint;
    },
    get environment() {
      return deps.environment;
    },
    get participants() {
      return deps.participants;
    },
    get remoteValidationCache() {
      return deps.remoteValidationCache;
    },
    trackDelivery: options.trackDelivery,
    pollInitialMs: options.pollInitialMs,
    paused: hooks.paused,
    pausedAt: hooks.pausedAt,
    running: hooks.running,
    releaseReady: hooks.releaseReady,
    onConnection: (status) => deps.onConnection(status),
    onEarlierDone: (place, client) => deps.onEarlierDone?.(place, client),
    builtInSandboxSince: () => deps.builtInSandboxSince?.() ?? null,
    ledNowhereFrom: () => deps.ledNowhereFrom?.() ?? null,
    // Not polled while held either (refused key, trouble): walk 16 saw 2,009 polls in a 30 s outage.
    offline: () => stages.health.held,
    faulted: () => stages.health.fault !== null,
    sendIdle: () => hooks.sendIdle(),
    checkRoom: () => hooks.checkRoom(),
    lookAhead: (receiver) => stages.resolution.lookAhead(receiver),
    // After a fault: put stuck sends back and commit the verdicts that waited.
    recover: () => {
      if (hooks.running()) stages.recovery.recoverStuckSending();
      stages.validation.commit();
    },
  };
  const stages: Stages = {
    validation: new ValidateStage(ctx, options.remoteValidation ?? false),
    resolution: new ResolveStage(ctx),
    delivery: new DeliveryTracking(
      ctx,
      {
        pollInitialMs: options.pollInitialMs,
        pollMaxMs: options.pollMaxMs ?? DEFAULT_DELIVERY_OPTIONS.pollMaxMs,
        responseWindowMs: options.responseWindowMs ?? DEFAULT_DELIVERY_OPTIONS.responseWindowMs,
        deliveryTimeoutMs: options.deliveryTimeoutMs ?? DEFAULT_DELIVERY_OPTIONS.deliveryTimeoutMs,
        ...(options.notFoundAfterMs !== undefined
          ? { notFoundAfterMs: options.notFoundAfterMs }
          : {}),
        ...(options.responsePollMaxMs !== undefined
          ? { responsePollMaxMs: options.responsePollMaxMs }
          : {}),
      },
      {
        ...(options.pollBudget?.perSecond !== undefined
          ? { perSecond: options.pollBudget.perSecond }
          : {}),
        inFlight: options.pollBudget?.inFlight ?? pollsInFlightFor(options.concurrency),
      },
    ),
    recovery: new Recovery(ctx),
    health: new ConnectionHealth(ctx, {
      probeInitialMs: options.probeInitialMs ?? 1_000,
      probeMaxMs: options.probeMaxMs ?? PROBE_MAX_MS,
      ...(options.troubleAfterMs !== undefined ? { troubleAfterMs: options.troubleAfterMs } : {}),
      faultRetryMs: options.faultRetryMs ?? 30_000,
    }),
  };
  return stages;
}
