require_relative 'boot'
require 'rails'
# Only the frameworks PlaceOS auth needs here: ActiveRecord (sqlite instead of PostgreSQL) and
# ActionController (Doorkeeper's controllers render their HTML error page with ActionView).
require 'active_record/railtie'
require 'action_controller/railtie'
require 'doorkeeper'
require 'doorkeeper/openid_connect'
require 'jwt'
require 'bcrypt'
require_relative '../lib/place_dk'
require_relative '../lib/place_session'
require_relative '../lib/place_jwt'

module PlaceosDoorkeeper
  class Application < Rails::Application
    config.load_defaults 6.1
    config.root = File.expand_path('..', __dir__)
    config.eager_load = false
    config.cache_classes = true
    config.secret_key_base = ENV.fetch('SECRET_KEY_BASE')
    config.hosts.clear
    config.consider_all_requests_local = false
    config.action_dispatch.cookies_serializer = :json
    # PlaceOS sits behind TLS; the test target speaks plain HTTP on loopback but keeps the Secure flag.
    config.action_dispatch.always_write_cookie = true
    config.action_controller.allow_forgery_protection = false
    config.active_record.legacy_connection_handling = false
    config.logger = ActiveSupport::Logger.new($stderr, level: ENV['RAILS_LOG_LEVEL'] || :warn)
    config.log_level = ENV['RAILS_LOG_LEVEL'] || :warn
  end
end
