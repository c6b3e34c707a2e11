// What only the deployment's own key can vouch for (issue 22; contract §12.1; RFC 7515 §4.1.11,
// RFC 7519 §4.1.5): a copy of a valid token, re-signed with the deployment's signing key but
// carrying a crit header that names an unknown extension, an nbf in the future or an iat a day
// ahead, is refused at inspect and at users/current in every bearer transport. The key is the one
// of a test deployment, given by its operator (PLACEOS_JWT_SIGNING_KEY_FILE); without it these rows
// are n/a. First the control: the same copy without the change, signed with that key, must be
// accepted, else the key is not the deployment's and the check could not be made (`error`).
// Rows of the security-jwt area (its table spreads them in).
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type { CaseContext } from '../../helpers/case';
import { signWithKey, verifyWithPublicKey, type JwtClaims, type JwtHeader } from '../../helpers/jwt';
import { expectAccepted, precondition } from '../../helpers/kit';
import type { Level, Severity } from '../../helpers/model';
import { expectAllRefused, type Control, type Row } from './rows';

/** An extension no verifier understands: a crit header naming it makes the token invalid. */
export const UNKNOWN_EXTENSION = 'urn:placeos-contract:unknown-extension';
/** How far ahead the future nbf and iat lie: far beyond any clock-skew allowance (minutes). */
export const NBF_AHEAD_SECONDS = 3600;
export const IAT_AHEAD_SECONDS = 86400;

const SETTING = 'PLACEOS_JWT_SIGNING_KEY_FILE';

interface Signer {
  key: KeyObject;
  /** The control's protected header without alg (typ, kid…): copies keep it. */
  header: JwtHeader;
}

/**
 * The configured signing key, proven to be the deployment's: its public half verifies the
 * control token, and the control's claims re-signed with it are accepted by rest-api.
 */
async function deploymentSigner(t: CaseContext, c: Control): Promise<Signer> {
  const key = createPrivateKey(t.settings.jwtSigningKeyPem!);
  const verified = await verifyWithPublicKey(c.token, createPublicKey(key), { signatureOnly: true });
  precondition(
    verified.ok,
    'the configured signing key',
    `${SETTING} is not the key the deployment signs with: its public half does not verify an issued token`,
    'the key that signed the issued token',
    'another key',
  );
  const { alg: _alg, ...header } = c.header;
  const copy = await signWithKey(c.claims, key, { header });
  t.secrets.add(copy, 'access_token');
  await expectAccepted(c.api, copy, `the control (the issued token's claims re-signed with ${SETTING})`);
  return { key, header };
}

/** The deployment's clock as its token tells it (iat), else ours: the future is measured from it. */
function deploymentNow(c: Control): number {
  return typeof c.claims.iat === 'number' ? c.claims.iat : Math.floor(Date.now() / 1000);
}

interface Change {
  claims?: JwtClaims;
  header?: JwtHeader;
  /** Extensions the crit header lists (jose signs only a crit it is told of). */
  crit?: string[];
}

function claimRow(o: { name: string; what: string; requirements: string[]; level: Level; severity: Severity; change: (now: number) => Change }): Row {
  const title = `a token signed with the deployment's own key whose ${o.what} is refused at inspect and users/current in every transport`;
  return {
    name: o.name,
    title,
    requirements: o.requirements,
    level: o.level,
    severity: o.severity,
    needs: ['jwtSigningKey'],
    async run(t, c) {
      const signer = await deploymentSigner(t, c);
      const change = o.change(deploymentNow(c));
      const token = await signWithKey({ ...c.claims, ...change.claims }, signer.key, {
        header: { ...signer.header, ...change.header },
        ...(change.crit ? { crit: change.crit } : {}),
      });
      await expectAllRefused(t, c.api, [{ what: `the ${o.name} token (signed with ${SETTING})`, token }], `a token whose ${o.what}`);
    },
  };
}

export const claimRows: Row[] = [
  claimRow({
    name: 'crit-unknown-extension',
    what: 'crit header names an extension the deployment cannot understand',
    requirements: ['RFC7515-4.1.11'],
    level: 'MUST',
    // Needs the deployment's key: a token of its own issuer whose critical extension is ignored.
    severity: 'medium',
    change: () => ({ header: { crit: [UNKNOWN_EXTENSION], [UNKNOWN_EXTENSION]: true }, crit: [UNKNOWN_EXTENSION] }),
  }),
  claimRow({
    name: 'nbf-future',
    what: `nbf lies an hour in the future (${NBF_AHEAD_SECONDS} s)`,
    requirements: ['RFC7519-4.1.5'],
    level: 'MUST',
    severity: 'medium',
    change: (now) => ({ claims: { nbf: now + NBF_AHEAD_SECONDS } }),
  }),
  claimRow({
    name: 'iat-future',
    what: `iat lies a day in the future (${IAT_AHEAD_SECONDS} s)`,
    requirements: ['PLACEOS-IMPL-JWT-IAT-FUTURE'],
    // The contract's own rule (§12.1): no RFC makes a verifier look at iat.
    level: 'SHOULD',
    severity: 'low',
    change: (now) => ({ claims: { iat: now + IAT_AHEAD_SECONDS } }),
  }),
];
