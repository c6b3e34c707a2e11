# Settings of this test target, from the environment the launcher sets.
module PlaceDk
  MUTANTS = %w[pkce-challenge-dropped code-not-bound-to-redirect-uri api-key-any-secret].freeze

  def self.mutants
    @mutants ||= ENV.fetch('PLACEOS_DK_MUTANTS', '').split(',').map(&:strip).reject(&:empty?).each do |m|
      raise ArgumentError, "PLACEOS_DK_MUTANTS: #{m} is not one of #{MUTANTS.join(', ')}" unless MUTANTS.include?(m)
    end
  end

  def self.mutant?(name) = mutants.include?(name)

  def self.signing_key
    @signing_key ||= OpenSSL::PKey::RSA.new(File.read(ENV.fetch('JWT_PRIVATE_KEY_FILE')))
  end

  def self.md5(s) = Digest::MD5.hexdigest(s)

  # Server scopes of PlaceOS auth's config/initializers/doorkeeper.rb.
  RESOURCES = %w[alert_dashboards alerts api_keys asset_categories asset_purchase_orders asset_types asset_instances assets
                 ldap_authentications saml_authentications o_auth_authentications brokers build_monitor chat_gpt cluster domains
                 drivers settings modules systems guest control edges edge-control metadata mqtt flux o_auth_applications repositories].freeze
  SERVER_SCOPES = (%w[public openid] + RESOURCES.flat_map { |r| [r, "#{r}.read", "#{r}.write"] }).freeze
end
