/**
 * The default cap on design rows: a design above it is refused before any row is made. A module of its
 * own, so that the CLI's option definitions read it without loading the compiler.
 */
export const DEFAULT_MAX_ROWS = 5_000_000
