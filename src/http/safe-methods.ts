/**
 * @module http/safe-methods
 * HTTP methods that do not change state (DRF's `SAFE_METHODS`).
 */
export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);
