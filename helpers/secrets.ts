// Every secret the run knows or receives is registered here as it appears, masked in all output,
// and fingerprinted (never stored in clear on disk) so artifacts can be scanned after the run.
// INTERFACE FIRST: implementation owned by the reporting/safety work.

export type SecretKind =
  | 'password'
  | 'client_secret'
  | 'api_key'
  | 'access_token'
  | 'refresh_token'
  | 'code'
  | 'code_verifier'
  | 'cookie'
  | 'id_token'
  | 'other';

export interface SecretRegistry {
  /** Register a secret (ignores empty/short values below 6 chars, which cannot be masked safely). */
  add(value: string | undefined, kind: SecretKind): void;
  /** Replace every registered secret (also URL-encoded forms) with `[REDACTED:<kind>]`. */
  mask(text: string): string;
}
