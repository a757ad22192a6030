/** Relay limits the CLI's option builders need: kept apart so commands other than connect never load the relay. */
export const DEFAULT_MAX_MESSAGE_SIZE = 16 * 1024 * 1024;
/**
 * Largest message written to stdout (0 = no limit). MCP SDK clients since 1.30 close their whole stdio connection
 * when their read buffer passes 10 MiB (and Claude Desktop never restarts a server whose connection closed). That
 * buffer holds the line read so far plus the pipe read (64 KiB) that completes it, which may carry the next
 * message's start: a line is safe up to 10 MiB less 64 KiB, whatever follows it.
 */
export const DEFAULT_MAX_OUTPUT_MESSAGE_SIZE = 10 * 1024 * 1024 - 64 * 1024;
