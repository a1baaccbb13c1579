/**
 * The service's defaults, in a module of their own: `cohort serve` declares its options with them, and
 * must not load the HTTP stack to do so (only running the service does).
 */

/** The stand-alone server listens on this machine only unless given another host. */
export const DEFAULT_HOST = "127.0.0.1"

/** The default cap on a request body: 1 MiB (a spec with large inline lists fits many times over). */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024
