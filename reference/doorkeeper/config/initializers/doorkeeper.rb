# Doorkeeper configured the way PlaceOS auth configures it (config/initializers/doorkeeper.rb):
# the grant flows, refresh tokens, default scope `public` + the server scopes, no consent screen,
# the JWT access-token generator and 2-hour tokens. Only the session lookup is this app's own.
Doorkeeper.configure do
  orm :active_record

  # The browser session: the encrypted `user` cookie (path /auth) set by POST /auth/signin.
  # Without one, go to the authority's login_url with the authorize URL as {{url}}.
  resource_owner_authenticator do
    PlaceSession.user(cookies, Authority.for_host(request.host)) || begin
      authority = Authority.for_host(request.host)
      login = (authority&.login_url || '/login?continue={{url}}').sub('{{url}}', CGI.escape(request.fullpath))
      redirect_to(login, status: :found)
      nil
    end
  end

  # Password grant: the user of the request Host's authority, not deleted, bcrypt-checked.
  resource_owner_from_credentials do |_routes|
    authority = Authority.for_host(request.host)
    user = authority && params[:username] && User.find_by_email(authority, params[:username])
    user if user && !user.deleted && user.authenticate(params[:password].to_s)
  end

  admin_authenticator { head :not_found }

  grant_flows %w[authorization_code implicit password client_credentials implicit_oidc]
  use_refresh_token
  skip_authorization { true }
  default_scopes :public
  optional_scopes(*(PlaceDk::SERVER_SCOPES - ['public']))

  access_token_generator '::PlaceJwt'
  access_token_expires_in 2.hours
  # PlaceOS keeps Doorkeeper's 10 minutes; the launcher shortens it so the code-expiry check can wait one out.
  authorization_code_expires_in (ENV['PLACEOS_DK_CODE_SECONDS'] || 600).to_i.seconds
  force_ssl_in_redirect_uri false
end

# Reference mutant: the token endpoint stops comparing redirect_uri with the grant's.
if PlaceDk.mutant?('code-not-bound-to-redirect-uri')
  Doorkeeper::OAuth::AuthorizationCodeRequest.prepend(Module.new { def validate_redirect_uri = true })
end
