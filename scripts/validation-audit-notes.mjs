// Hand-written parts of docs/validation-audit.md (see scripts/generate-validation-audit.mjs).
export const HOW_WE_EXPRESS = [];
export const GAPS = [];
export const LANES = [];
export const NOTES = {};
