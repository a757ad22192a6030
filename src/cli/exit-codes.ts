/** Process exit statuses, documented in the README. */
export const exitCodes = {
  OK: 0,
  /** A check failed or credentials are expired / not yet valid. */
  FAILURE: 1,
  /** Unusable input: bad arguments, unreadable or invalid identity. */
  USAGE: 2,
} as const;
