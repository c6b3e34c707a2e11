# Routes as PlaceOS mounts them: Doorkeeper under /auth/oauth, the session endpoints under /auth,
# the two rest-api endpoints, and an empty 404 for anything else.
Rails.application.routes.draw do
  scope 'auth' do
    use_doorkeeper
    use_doorkeeper_openid_connect
    post 'signin', to: 'sessions#signin'
    get 'login', to: 'sessions#login'
    get 'logout', to: 'sessions#destroy'
    get 'authority', to: 'authorities#show'
  end
  get '.well-known/openid-configuration', to: 'doorkeeper/openid_connect/discovery#provider'
  get '.well-known/webfinger', to: 'doorkeeper/openid_connect/discovery#webfinger'
  get 'api/engine/v2/api_keys/inspect', to: 'rest_api#inspect_key'
  get 'api/engine/v2/users/current', to: 'rest_api#current_user'
  match '*path', to: ->(_env) { [404, {}, []] }, via: :all, format: false
  root to: ->(_env) { [404, {}, []] }
end
