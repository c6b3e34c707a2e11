# The two rest-api endpoints the suite uses, with rest-api's credential precedence
# (current-user.cr): API key (X-API-Key header, api-key param, api-key cookie) before the bearer
# (Authorization header with the case-sensitive prefix "Bearer " or "Token ", bearer_token param,
# bearer_token cookie); JWTs checked statelessly with RS256; 401 as {"error": "..."}.
class RestApiController < ActionController::API
  include ActionController::Cookies

  class Unauthorized < StandardError; end

  # Seconds an iat may lie ahead of this clock (the embedded target's IAT_SKEW_SECONDS).
  IAT_SKEW_SECONDS = 60

  rescue_from(Unauthorized) { |e| render json: { error: e.message }, status: :unauthorized }
  rescue_from(KeyError) { |e| render json: { error: "Missing JSON attribute: #{e.key}" }, status: :bad_request }

  def inspect_key
    jwt, = authenticate!
    u = jwt['u']
    render json: { iss: jwt['iss'], iat: jwt['iat'], exp: jwt['exp'], aud: jwt['aud'], sub: jwt['sub'],
                   scope: jwt['scope'].map { |s| s.sub(/\.(read|write)\z/i) { ".#{Regexp.last_match(1).capitalize}" } },
                   u: { n: u['n'], e: u['e'].downcase, p: u['p'], r: u['r'] } }
  end

  def current_user
    jwt, user = authenticate!
    user ||= User.find_by(id: jwt['sub'])
    raise Unauthorized, 'user not found' unless user

    render json: user
  end

  private

  def authenticate!
    key = request.headers['X-API-Key'].presence || params['api-key'].presence || cookies['api-key'].presence
    jwt, user = key ? from_api_key(key) : from_bearer(bearer)
    authority = Authority.for_host(request.host)
    raise Unauthorized, 'authority not found' unless authority
    raise Unauthorized, "authority domain does not match token's" unless jwt['aud'] == authority.domain

    [jwt, user]
  end

  def bearer
    header = request.headers['Authorization']
    return params['bearer_token'].presence || cookies['bearer_token'].presence if header.nil?

    t = header.strip
    t = t.delete_prefix('Bearer ').delete_prefix('Token ').strip
    t.presence
  end

  def from_api_key(value)
    id, secret = value.split('.', 2)
    key = ApiKey.find_by(id: id)
    raise Unauthorized, 'unknown X-API-Key' unless key&.secret_matches?(secret.to_s)
    raise Unauthorized, 'API key has expired' if key.expired?

    user = key.user
    now = Time.now.to_i
    [{ 'iss' => 'POS', 'iat' => now - 300, 'exp' => now + 3600, 'aud' => key.authority.domain, 'sub' => user.id,
       'scope' => key.scopes, 'u' => { 'n' => user.name, 'e' => user.email, 'p' => key.permissions, 'r' => user.groups } }, user]
  end

  def from_bearer(token)
    raise Unauthorized, '' unless token

    begin
      payload, header = JWT.decode(token, PlaceDk.signing_key.public_key, true, algorithm: 'RS256')
    rescue JWT::DecodeError => e
      raise Unauthorized, e.message
    end
    # Beyond ruby-jwt's checks (signature, exp, nbf), what the contract asks of a verifier (§12.1):
    # no extension is understood, so any crit is refused; an iat beyond a minute of skew is refused.
    raise Unauthorized, 'Unsupported critical header extension' if header.key?('crit')
    raise Unauthorized, 'Signature iat is in the future' if payload['iat'].is_a?(Numeric) && payload['iat'] > Time.now.to_i + IAT_SKEW_SECONDS
    %w[iss iat exp aud sub scope u].each { |k| payload.fetch(k) }
    %w[n e p r].each { |k| payload['u'].fetch(k) }
    return [payload, nil] if payload['scope'].include?('guest')

    user = User.find_by(id: payload['sub'])
    raise Unauthorized, 'logged out' if user&.logged_out_at && minted_at(token, payload) <= user.logged_out_at

    [payload, user]
  end

  # rest-api compares iat with logged_out_at; the token row's created_at is the same instant to the microsecond.
  def minted_at(token, payload)
    Doorkeeper::AccessToken.find_by(token: token)&.created_at&.to_f || payload['iat'].to_f
  end
end
