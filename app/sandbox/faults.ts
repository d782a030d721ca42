import type { FaultPlan, FaultTrigger } from './types';

/** What the fault plan decided for one request. */
export interface FaultDecision {
  resetBefore: boolean;
  resetAfter: boolean;
  status429: { retryAfterSeconds: number } | null;
  status503: { retryAfterSeconds: number | null } | null;
  stall: { ms: number; when: 'before' | 'after' } | null;
  status: { status: number; code: string; message: string } | null;
  deliveryFails: boolean;
}

/** Injected-fault counters, as reported in the stats. */
export interface FaultCounts {
  status429: number;
  status503: number;
  resetBefore: number;
  resetAfter: number;
  stall: number;
  status: number;
  deliveryFails: number;
}

const NO_FAULT: FaultDecision = {
  resetBefore: false,
  resetAfter: false,
  status429: null,
  status503: null,
  stall: null,
  status: null,
  deliveryFails: false,
};

/**
 * mulberry32: a tiny, fast seeded PRNG. Statistical quality is irrelevant here; what matters is
 * that the same seed replays the same fault sequence.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface TriggerState {
  seen: number;
  fired: number;
}

/**
 * Applies a {@link FaultPlan} request by request. Every configured trigger is evaluated on every
 * eligible request (so the PRNG sequence does not depend on which fault won), then precedence
 * picks what actually happens.
 */
export class FaultInjector {
  private plan: FaultPlan = {};
  private random: () => number = seededRandom(1);
  private readonly state = new Map<string, TriggerState>();
  /** Faults injected so far. */
  readonly counts: FaultCounts = {
    status429: 0,
    status503: 0,
    resetBefore: 0,
    resetAfter: 0,
    stall: 0,
    status: 0,
    deliveryFails: 0,
  };

  constructor(plan: FaultPlan = {}) {
    this.setPlan(plan);
  }

  /** Replace the plan; restarts trigger counters and the PRNG (from `plan.seed`, default 1). */
  setPlan(plan: FaultPlan): void {
    this.plan = plan;
    this.random = seededRandom(plan.seed ?? 1);
    this.state.clear();
  }

  /** Forget injected-fault counters (the plan stays). */
  resetCounts(): void {
    for (const key of Object.keys(this.counts) as (keyof FaultCounts)[]) this.counts[key] = 0;
  }

  /** The verdict `/validate` must give instead of the light checks, if the plan sets one. */
  validateVerdict(): FaultPlan['validateVerdict'] {
    return this.plan.validateVerdict;
  }

  /** Whether the plan covers an endpoint; `isSend` is true for send and batch. */
  appliesTo(isSend: boolean): boolean {
    return isSend || this.plan.endpoints === 'all';
  }

  /** Decide the faults of the next eligible request. */
  decide(): FaultDecision {
    const plan = this.plan;
    if (
      !plan.status429 &&
      !plan.status503 &&
      !plan.resetConnection &&
      !plan.stallMs &&
      !plan.status &&
      !plan.deliveryFails
    ) {
      return NO_FAULT;
    }
    const fire429 = this.check('status429', plan.status429);
    const fire503 = this.check('status503', plan.status503);
    const fireReset = this.check('resetConnection', plan.resetConnection);
    const fireStall = this.check('stallMs', plan.stallMs);
    const fireStatus = this.check('status', plan.status);
    const fireDeliveryFails = this.check('deliveryFails', plan.deliveryFails);
    const resetWhen = plan.resetConnection?.when ?? 'before';

    const decision: FaultDecision = { ...NO_FAULT };
    if (fireReset && resetWhen === 'before' && this.take('resetConnection', plan.resetConnection)) {
      this.counts.resetBefore++;
      decision.resetBefore = true;
      return decision;
    }
    if (fire429 && this.take('status429', plan.status429)) {
      this.counts.status429++;
      decision.status429 = { retryAfterSeconds: plan.status429?.retryAfterSeconds ?? 1 };
    } else if (fire503 && this.take('status503', plan.status503)) {
      this.counts.status503++;
      decision.status503 = { retryAfterSeconds: plan.status503?.retryAfterSeconds ?? null };
    } else if (fireStatus && plan.status && this.take('status', plan.status)) {
      this.counts.status++;
      decision.status = {
        status: plan.status.status,
        code: plan.status.code ?? `INJECTED_${plan.status.status}`,
        message: plan.status.message ?? `Injected ${plan.status.status} by the sandbox fault plan.`,
      };
    } else if (
      fireReset &&
      resetWhen === 'after' &&
      this.take('resetConnection', plan.resetConnection)
    ) {
      this.counts.resetAfter++;
      decision.resetAfter = true;
    }
    const answered = !decision.status429 && !decision.status503 && !decision.status;
    if (answered && fireDeliveryFails && this.take('deliveryFails', plan.deliveryFails)) {
      this.counts.deliveryFails++;
      decision.deliveryFails = true;
    }
    if (fireStall && plan.stallMs && this.take('stallMs', plan.stallMs)) {
      this.counts.stall++;
      decision.stall = { ms: plan.stallMs.ms, when: plan.stallMs.when ?? 'after' };
    }
    return decision;
  }

  private check(name: string, trigger: FaultTrigger | undefined): boolean {
    if (!trigger) return false;
    let s = this.state.get(name);
    if (!s) {
      s = { seen: 0, fired: 0 };
      this.state.set(name, s);
    }
    s.seen++;
    // Draw even when `every` already fires, so the PRNG sequence depends only on request count.
    const byChance = trigger.probability !== undefined && this.random() < trigger.probability;
    const byCount =
      trigger.every !== undefined && trigger.every > 0 && s.seen % trigger.every === 0;
    return byChance || byCount;
  }

  /** Count one injection of a trigger, unless its `max` is used up. */
  private take(name: string, trigger: FaultTrigger | undefined): boolean {
    const s = this.state.get(name);
    if (!s || !trigger) return false;
    if (trigger.max !== undefined && s.fired >= trigger.max) return false;
    s.fired++;
    return true;
  }
}
