# rest-api API key `<id>.<secret>`; the secret is stored as HMAC-SHA512(secret, id).
class ApiKey < ApplicationRecord
  serialize :scopes, JSON
  belongs_to :user
  belongs_to :authority

  def self.digest(id, secret) = OpenSSL::HMAC.hexdigest('SHA512', id, secret)

  def secret_matches?(secret)
    return true if PlaceDk.mutant?('api-key-any-secret')

    ActiveSupport::SecurityUtils.secure_compare(secret_digest, ApiKey.digest(id, secret))
  end

  def expired? = !expires_at.nil? && expires_at <= Time.now.to_i
end
