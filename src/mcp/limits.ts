/** Relay limits the CLI's option builders need: kept apart so commands other than connect never load the relay. */
export const DEFAULT_MAX_MESSAGE_SIZE = 16 * 1024 * 1024;
/**
 * Largest message written to stdout: MCP SDK clients since 1.30 close their whole stdio connection on a line over
 * 10 MiB (and Claude Desktop never restarts a server whose connection closed). 0 = no limit.
 */
export const DEFAULT_MAX_OUTPUT_MESSAGE_SIZE = 10 * 1024 * 1024;
