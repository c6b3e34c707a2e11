# A PlaceOS authority: one per domain; the request Host picks it.
class Authority < ApplicationRecord
  serialize :config, JSON
  serialize :email_domains, JSON
  has_many :users

  def self.for_host(host)
    find_by(domain: host.to_s.downcase)
  end

  def as_json(*)
    { id: id, name: name, description: description, domain: domain, login_url: login_url, logout_url: logout_url,
      config: config, email_domains: email_domains, updated_at: updated_at&.iso8601(3) }
  end
end
