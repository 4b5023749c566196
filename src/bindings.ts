/**
 * @module bindings
 * What the Worker is bound to in `wrangler.toml`: the storage the stores are
 * built on, the static assets of the site gate, and the optional mail binding.
 */

/** What `wrangler.toml` binds. Settings arrive as further string vars. */
export interface Bindings {
  DB: D1Database;
  /** Sessions and the revocation list (one namespace, so one bulk read serves a request). */
  KV: KVNamespace;
  /** Workers Static Assets (`public/`), for the static-site gate; absent when the app is API-only. */
  ASSETS?: Fetcher;
  /** Cloudflare Email Service (`[[send_email]]`), for `EMAIL_BACKEND=cloudflare`. */
  EMAIL?: SendEmail;
}
