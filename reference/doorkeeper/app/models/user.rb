# PlaceOS user: looked up by authority + MD5 of the lower-cased email; bcrypt password.
class User < ApplicationRecord
  has_secure_password validations: false
  serialize :groups, JSON
  serialize :profile, JSON
  belongs_to :authority

  def self.find_by_email(authority, email)
    find_by(authority_id: authority.id, email_digest: PlaceDk.md5(email.downcase))
  end

  # The permission bit flags of the JWT `u.p` claim: 1 = support, 2 = sys_admin.
  def permissions = (support ? 1 : 0) | (sys_admin ? 2 : 0)

  # rest-api's "admin metadata" view (GET /api/engine/v2/users/current).
  def as_json(*)
    { created_at: created_at, id: id, email_digest: email_digest, name: name, email: email, authority_id: authority_id,
      deleted: deleted, groups: groups, login_count: login_count, last_login: last_login, work_preferences: [],
      work_overrides: {}, locatable: true, sys_admin: sys_admin, support: support, associated_metadata: {},
      subsystem_access: [] }.merge(profile || {}).compact
  end
end
