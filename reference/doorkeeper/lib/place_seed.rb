# Loads the schema and the launcher's seed file (authorities, users, apps, API keys) into the
# fresh sqlite database of this start.
module PlaceSeed
  def self.load!(file)
    ActiveRecord::Migration.suppress_messages { load Rails.root.join('db/schema.rb').to_s }
    data = JSON.parse(File.read(file))
    now = Time.now
    data.fetch('authorities').each do |a|
      Authority.create!(id: a['id'], name: a['name'], description: a['description'], domain: a['domain'],
                        login_url: a['login_url'], logout_url: a['logout_url'], config: a['config'],
                        email_domains: a['email_domains'], session_timeout_minutes: a['session_timeout_minutes'], updated_at: now)
    end
    authority_id = data.fetch('authorities').to_h { |a| [a['key'], a['id']] }
    profile_keys = %w[first_name last_name nickname department staff_id phone country building preferred_language login_name]
    data.fetch('users').each do |u|
      user = User.new(id: u['id'], authority_id: authority_id.fetch(u['authority']), email: u['email'],
                      email_digest: PlaceDk.md5(u['email'].downcase), name: u['name'], sys_admin: u['sys_admin'],
                      support: u['support'], deleted: u['deleted'] || false, groups: u['groups'],
                      profile: u.slice(*profile_keys), created_at: now.to_i)
      # Seeds only: the lowest bcrypt cost keeps signin fast; the check is the same bcrypt.
      user.password_digest = BCrypt::Password.create(u['password'], cost: BCrypt::Engine::MIN_COST) if u['password']
      user.save!
    end
    data.fetch('apps').each do |a|
      Doorkeeper::Application.create!(name: a['name'], uid: a['uid'], secret: a['secret'], redirect_uri: a['redirect_uri'],
                                      scopes: a['scopes'].join(' '), confidential: a['confidential'],
                                      owner_id: authority_id.fetch(a['authority']))
    end
    data.fetch('apiKeys').each do |k|
      ApiKey.create!(id: k['id'], secret_digest: ApiKey.digest(k['id'], k['secret']), user_id: k['user'],
                     authority_id: authority_id.fetch(k['authority']), name: k['name'], scopes: k['scopes'],
                     permissions: k['permissions'], expires_at: k['expires_at'])
    end
  end
end
