/**
 * The size limit's words live in the domain (the window refuses a file over the limit before it
 * reads it, with the same words); here for the validation's own imports.
 */
export { DEFAULT_MAX_BYTES, tooLargeMessage } from '../domain/too-large';
