/** Relay limits the CLI's option builders need: kept apart so commands other than connect never load the relay. */
export const DEFAULT_MAX_MESSAGE_SIZE = 16 * 1024 * 1024;
