/**
 * The password settings of `wrangler.toml`'s `[vars]`
 * (`AUTH_PASSWORD_VALIDATORS` and every `PASSWORD_*`), so that
 * `createsuperuser` checks a password as the deployed Worker does: the same
 * validators, context words and Pwned Passwords check. Other settings are
 * left out: they are not needed here, and some depend on secrets that only
 * the Worker has.
 */
export async function passwordSettings(
  configPath = 'wrangler.toml',
): Promise<Record<string, unknown>> {
  // Imported here: loading wrangler takes a moment that only this script pays.
  const { experimental_readRawConfig } = await import('wrangler');
  const vars: Record<string, unknown> =
    experimental_readRawConfig({ config: configPath }).rawConfig.vars ?? {};
  return Object.fromEntries(
    Object.entries(vars).filter(
      ([name]) => name === 'AUTH_PASSWORD_VALIDATORS' || name.startsWith('PASSWORD_'),
    ),
  );
}
