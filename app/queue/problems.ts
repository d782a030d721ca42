/**
 * The problems of documents, in a clerk's words: kept in app/domain/problems.ts (pure, one
 * constructor per problem). Re-exported here for the CLI, the engine and tests that import them
 * from the queue.
 */
export {
  ACCESS_POINT_CHANGED,
  apErrorTechnical,
  attemptsExhausted,
  buyerResponseProblem,
  deliveryFailed,
  deliveryFailedWords,
  isBusinessResponseCode,
  offlineWords,
  problemFromApError,
  readsAsWords,
  refusalWords,
  RESPONSE_WORDS,
  transientWords,
} from '../domain/problems';
