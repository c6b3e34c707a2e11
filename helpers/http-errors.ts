// Transport failures as one line each: what went wrong talking to the deployment and what to
// check. No stack, no secrets (credentials, query and path are dropped from the URL).

/** Thrown when the target cannot be reached at all (after retries): the run could not be made. */
export class TransportError extends Error {
  override name = 'TransportError';
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** The target answered, but not as a PlaceOS auth service a run can check (preflight, runner/detect.ts). */
export class PreflightError extends Error {
  override name = 'PreflightError';
}

interface ErrLike {
  code?: string;
  message?: string;
  timeout?: number;
  errno?: number | string;
  syscall?: string;
  hostname?: string;
  address?: string;
  port?: number;
  reason?: string;
}

const TLS_REASONS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in the chain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'issuer of the certificate unknown',
  UNABLE_TO_GET_ISSUER_CERT: 'issuer of the certificate unknown',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'issuer of the certificate unknown',
  CERT_UNTRUSTED: 'certificate not trusted',
  CERT_SIGNATURE_FAILURE: 'certificate signature invalid',
  CERT_HAS_EXPIRED: 'certificate expired',
  CERT_NOT_YET_VALID: 'certificate not yet valid',
  CERT_REVOKED: 'certificate revoked',
  INVALID_CA: 'invalid CA certificate',
};

export function errCode(err: unknown): string {
  const e = (err ?? {}) as ErrLike;
  if (err instanceof TransportError) return err.code;
  if (typeof e.timeout === 'number' || e.code === 'ECONNABORTED') return 'TIMEOUT';
  if (typeof e.code === 'string') return e.code;
  if (/socket hang up/i.test(e.message ?? '')) return 'ECONNRESET';
  // Some connection failures reach us as a bare `ECONNREFUSED: Connection refused` message.
  const fromMessage = /^(E[A-Z_]{3,}):/.exec(e.message ?? '');
  if (fromMessage) return fromMessage[1]!;
  return 'EUNKNOWN';
}

/**
 * One line saying what went wrong talking to `url` and what to check. No stack, no secrets
 * (credentials, query and path are dropped from the URL).
 */
export function describeTransportError(err: unknown, url: string, context?: { timeoutMs?: number; proxy?: string }): string {
  if (err instanceof TransportError) return err.message;
  let origin = url;
  let host = url;
  let hostPort = url;
  try {
    const u = new URL(url);
    origin = u.origin;
    host = u.hostname;
    hostPort = `${u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;
  } catch {
    // keep as given
  }
  const e = (err ?? {}) as ErrLike;
  const code = errCode(err);
  let proxyNote = '';
  if (context?.proxy) {
    try {
      const p = new URL(context.proxy);
      proxyNote = ` via proxy ${p.origin}`;
      // The failure was reaching the proxy itself.
      if (e.address !== undefined && e.port !== undefined && String(e.port) === (p.port || (p.protocol === 'https:' ? '443' : '80'))) {
        if (code === 'ECONNREFUSED') return `cannot connect to the proxy ${p.origin} (connection refused): check HTTPS_PROXY, or add ${host} to NO_PROXY`;
      }
      if (code === 'ENOTFOUND' && e.hostname === p.hostname) return `cannot resolve the proxy host ${p.hostname} (host not found): check HTTPS_PROXY`;
    } catch {
      // ignore
    }
  }
  const tlsReason = TLS_REASONS[code];
  if (tlsReason) {
    return `TLS certificate of ${origin} not trusted (${tlsReason}): set PLACEOS_CA_FILE to the deployment's CA, or PLACEOS_INSECURE_TLS=true for a throwaway test`;
  }
  switch (code) {
    case 'ECONNREFUSED':
      return `connection refused by ${hostPort}${proxyNote}: is the deployment up and PLACEOS_URL right?`;
    case 'ENOTFOUND':
      return `cannot connect to ${origin} (host not found: DNS has no address for ${host}): check the host name in PLACEOS_URL`;
    case 'EAI_AGAIN':
      return `cannot connect to ${origin} (DNS lookup of ${host} failed for now): check the network and DNS, then retry`;
    case 'ECONNRESET':
    case 'EPIPE':
      return `connection to ${origin}${proxyNote} was closed before an answer came (connection reset): check the deployment's logs, and any proxy or firewall in between`;
    case 'ETIMEDOUT':
      return `cannot connect to ${origin}${proxyNote} (connection timed out): is the host reachable from here (firewall, VPN)?`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `cannot connect to ${origin} (host unreachable): check the network route, VPN and PLACEOS_URL`;
    case 'TIMEOUT': {
      const ms = typeof e.timeout === 'number' ? e.timeout : context?.timeoutMs;
      return `no answer within ${ms ?? '?'} ms from ${origin}${proxyNote}: is the deployment overloaded or a firewall silently dropping traffic? Raise PLACEOS_TIMEOUT_MS if it is only slow`;
    }
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `TLS certificate of ${origin} is for another host name (${host} is not in it): use the host name the certificate names in PLACEOS_URL`;
    case 'EPROTO':
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
    case 'ERR_SSL_PACKET_LENGTH_TOO_LONG':
      return `TLS handshake with ${origin} failed (the server does not speak TLS there?): check http vs https and the port in PLACEOS_URL`;
    case 'HPE_INVALID_CONSTANT':
    case 'HPE_INVALID_HEADER_TOKEN':
    case 'HPE_HEADER_OVERFLOW':
    case 'HPE_INVALID_VERSION':
      return `${origin} answered with something that is not HTTP (${code}): check the scheme and port in PLACEOS_URL`;
    case 'ETOOLARGE':
      return `${origin} sent a response too large to read: check the deployment`;
    default: {
      const msg = (e.message ?? String(err)).split('\n')[0]!.slice(0, 160);
      return `request to ${origin}${proxyNote} failed (${code}: ${msg}): check PLACEOS_URL and the network`;
    }
  }
}
