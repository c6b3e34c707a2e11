# GET /auth/authority: the authority of the request Host, with session and token_valid.
class AuthoritiesController < ApplicationController
  def show
    return head(params.key?(:health) ? :ok : :not_found) unless authority

    user = PlaceSession.user(cookies, authority)
    # Doorkeeper's own lookup: any stored token row counts (no expiry or revocation check), and
    # it revokes the token's previous refresh token (revoke-on-use).
    token = Doorkeeper::OAuth::Token.authenticate(request, *Doorkeeper.config.access_token_methods)
    PlaceSession.verified(cookies) if token
    render json: authority.as_json.merge(version: 'v2.0.0', session: !user.nil? && PlaceSession.current?(cookies, user),
                                         token_valid: !token.nil?, production: true)
  end
end
