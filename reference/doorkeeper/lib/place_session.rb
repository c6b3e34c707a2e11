# PlaceOS auth's browser session: the encrypted `user` cookie ({id, expires, iat}) at path /auth,
# and the `verified` cookie at /.
module PlaceSession
  COOKIE = { path: '/auth', httponly: true, secure: true, same_site: :none }.freeze

  def self.user(cookies, authority)
    s = cookies.encrypted[:user]
    return nil unless authority && s.is_a?(Hash) && s['id'] && s['expires'].to_i > Time.now.to_i

    user = User.find_by(id: s['id'], authority_id: authority.id)
    user unless user.nil? || user.deleted
  end

  # The session counts for /auth/authority only if it began after the user's last logout.
  def self.current?(cookies, user)
    user.logged_out_at.nil? || cookies.encrypted[:user]['iat'].to_f / 1e6 > user.logged_out_at
  end

  def self.start(cookies, user)
    now = Time.now
    expires = now + 1.day
    cookies.encrypted[:user] = COOKIE.merge(value: { id: user.id, expires: expires.to_i, iat: (now.to_r * 1_000_000).to_i }, expires: expires)
    verified(cookies)
  end

  def self.verified(cookies)
    cookies.signed[:verified] = { value: SecureRandom.hex(8), path: '/', httponly: true, secure: true, same_site: :none, expires: 19.years.from_now }
  end

  def self.clear(cookies, also = [])
    cookies.delete(:user, path: '/auth')
    also.each { |name| cookies.delete(name, path: name == 'verified' ? '/' : '/auth') if cookies[name] }
  end
end
