/**
 * @module auth/types
 * The one interface every authentication class implements, and what a
 * successful authentication yields (declared in `env.ts`, below every
 * folder that reads the request context).
 */
export type { AuthMethod, Authentication, Authenticator, Credential } from '../env';
