# OpenID Connect as PlaceOS auth adds it (Nov 2025, config/initializers/doorkeeper_openid_connect.rb):
# the ID token signed with the access-token key, the user id as subject, and the profile claims.
# The issuer is one string here (the launcher's authority A URL): PlaceOS computes it per
# authority, which this gem's discovery document cannot render.
Doorkeeper::OpenidConnect.configure do
  issuer ENV.fetch('PLACEOS_DK_ISSUER', 'http://localhost')
  signing_key PlaceDk.signing_key.to_pem
  protocol { :http }
  subject_types_supported [:public]

  resource_owner_from_access_token { |token| User.find_by(id: token.resource_owner_id) }
  auth_time_from_resource_owner { |user| user.last_login && Time.at(user.last_login) }
  reauthenticate_resource_owner { |_user, _return_to| redirect_to('/auth/login') }
  select_account_for_resource_owner { |_user, _return_to| redirect_to('/auth/login') }
  subject { |user, _app| user.id }

  claims do
    claim(:email, response: %i[id_token user_info]) { |user| user.email }
    claim(:full_name, response: %i[id_token user_info]) { |user| user.name }
    claim(:given_name) { |user| user.profile&.dig('first_name') }
    claim(:family_name) { |user| user.profile&.dig('last_name') }
    claim(:nickname) { |user| user.profile&.dig('nickname') }
    claim(:phone_number) { |user| user.profile&.dig('phone') }
    claim(:preferred_username) { |user| user.email }
  end
end
