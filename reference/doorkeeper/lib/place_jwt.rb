# PlaceOS's access-token generator (Doorkeeper::JWT in PlaceOS auth): an RS256 JWT with the
# claims rest-api reads. Doorkeeper calls `.generate` with the token's attributes
# (access_token_mixin.rb, attributes_for_token_generator).
module PlaceJwt
  def self.generate(opts)
    # client_credentials has no resource owner: PlaceOS's generator raises here too (a 500).
    user = User.find(opts[:resource_owner_id])
    iat = opts[:created_at].to_i
    payload = {
      iss: 'POS', iat: iat, exp: iat + opts[:expires_in].to_i, jti: SecureRandom.uuid,
      aud: user.authority.domain, scope: opts[:scopes].to_a, sub: user.id,
      u: { n: user.name, e: user.email, p: user.permissions, r: user.groups || [] }
    }
    JWT.encode(payload, PlaceDk.signing_key, 'RS256')
  end
end
