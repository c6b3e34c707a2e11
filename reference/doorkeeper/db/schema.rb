# Doorkeeper's tables as its generators make them (templates/migration.rb.erb,
# add_previous_refresh_token_to_access_tokens, enable_pkce_migration, add_confidential), with
# string resource owner ids as PlaceOS uses, plus the few PlaceOS rows the auth service reads.
# PLACEOS_DK_MUTANTS=pkce-challenge-dropped leaves out the PKCE columns: Doorkeeper then ignores
# code_challenge, as PlaceOS did before its 2026-06 migration.
ActiveRecord::Schema.define do
  create_table :authorities, id: :string do |t|
    t.string :name, :description, :domain, :login_url, :logout_url
    t.text :config, :email_domains
    t.integer :session_timeout_minutes
    t.datetime :updated_at
  end

  create_table :users, id: :string do |t|
    t.string :authority_id, :email, :email_digest, :name, :password_digest
    t.boolean :sys_admin, :support, :deleted, default: false
    t.text :groups, :profile # JSON
    t.integer :login_count, default: 0
    t.integer :last_login, :created_at
    t.float :logged_out_at # epoch seconds with fraction
  end

  create_table :api_keys, id: :string do |t|
    t.string :user_id, :authority_id, :name, :secret_digest
    t.text :scopes
    t.integer :permissions, default: 0
    t.integer :expires_at
  end

  create_table :oauth_applications do |t|
    t.string :name, :uid, :secret, null: false
    t.text :redirect_uri, null: false
    t.string :scopes, null: false, default: ''
    t.boolean :confidential, null: false, default: true
    t.string :owner_id # PlaceOS: the authority
    t.timestamps null: false
  end
  add_index :oauth_applications, :uid, unique: true

  create_table :oauth_access_grants do |t|
    t.string :resource_owner_id, null: false
    t.references :application, null: false
    t.string :token, null: false
    t.integer :expires_in, null: false
    t.text :redirect_uri, null: false
    t.datetime :created_at, null: false
    t.datetime :revoked_at
    t.string :scopes, null: false, default: ''
    unless PlaceDk.mutant?('pkce-challenge-dropped')
      t.string :code_challenge
      t.string :code_challenge_method
    end
  end
  add_index :oauth_access_grants, :token, unique: true

  create_table :oauth_access_tokens do |t|
    t.string :resource_owner_id, index: true
    t.references :application, null: false
    t.text :token, null: false # a JWT
    t.string :refresh_token
    t.integer :expires_in
    t.datetime :revoked_at
    t.datetime :created_at, null: false
    t.string :scopes
    t.string :previous_refresh_token, null: false, default: '' # revoke-on-use refresh rotation
  end
  add_index :oauth_access_tokens, :token, unique: true
  add_index :oauth_access_tokens, :refresh_token, unique: true

  create_table :oauth_openid_requests do |t| # doorkeeper-openid_connect's migration
    t.references :access_grant, null: false, index: true
    t.string :nonce, null: false
  end
end
