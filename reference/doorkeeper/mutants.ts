// The Doorkeeper target's faults (a small module of its own: the CLI validates names without loading the launcher).
/** Faults this target can switch on (PLACEOS_DK_MUTANTS): reference mutants of the same name, reproduced on Doorkeeper. */
export const DOORKEEPER_MUTANTS = {
  'pkce-challenge-dropped': 'the grants table has no PKCE columns, so Doorkeeper drops code_challenge and the code is redeemable without a verifier',
  'code-not-bound-to-redirect-uri': 'the token endpoint does not compare redirect_uri with the one used at authorize',
  'api-key-any-secret': 'rest-api accepts an API key id with any secret',
} as const;
export type DoorkeeperMutant = keyof typeof DOORKEEPER_MUTANTS;
