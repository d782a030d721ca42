import type { DocumentProblem, DocumentState } from '../../contract';
import type { DocumentPatch } from '../../store/documents-repo';

// What a move writes, as plain data: the phase files (checking, sending, tracking, clerk) build
// it without touching the database; the core (./core.ts) records it.

/** One state change a move makes: the transition, its patch and its timeline words. */
export interface Step {
  from: DocumentState;
  to: DocumentState;
  patch?: DocumentPatch;
  /** In a clerk's words. */
  detail?: string | null;
  /** What the access point or the network said exactly (under "Show technical details"). */
  technical?: string | null;
  /**
   * Out of `sending`: the access point answered that it did not process this request (429 Too
   * Many Requests), so this attempt cannot have reached it; what earlier attempts left stands.
   */
  notProcessed?: boolean;
}

/** A timeline entry without a state change (and the fields it sets first, if any). */
export interface Note {
  state: DocumentState;
  patch?: DocumentPatch;
  detail: string;
  technical?: string | null;
}

/** The problem columns of a patch (null: no problem). */
export function problemPatch(p: DocumentProblem | null): DocumentPatch {
  return {
    problem_code: p?.code ?? null,
    problem_message: p?.message ?? null,
    problem_action: p?.action ?? null,
  };
}

/** The problem columns cleared. */
export const NO_PROBLEM = problemPatch(null);
