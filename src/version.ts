/**
 * @module version
 * edgeauth's version, as `package.json` has it (a test keeps them equal): the
 * OpenAPI document's `info.version`.
 */
export const EDGEAUTH_VERSION = '0.1.0';
