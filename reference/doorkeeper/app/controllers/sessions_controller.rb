# /auth/signin, /auth/login, /auth/logout as PlaceOS auth's Auth::SessionsController answers them.
class SessionsController < ApplicationController
  # Params come merged from query, form and JSON bodies. Unknown user: 401 empty; wrong password:
  # 401, or with `continue` a 302 to the Referer; success: 202, or 302 to the filtered `continue`.
  def signin
    return head(:not_found) unless authority

    user = User.find_by_email(authority, params[:email]) # a missing email raises: a 500, as in PlaceOS
    return head(:unauthorized) if user.nil? || user.deleted
    unless user.password_digest && user.authenticate(params[:password].to_s)
      return params[:continue] ? redirect_to(request.referer || '/', status: :found) : head(:unauthorized)
    end

    %w[social continue].each { |c| cookies.delete(c, path: '/auth') if cookies[c] }
    stored = cookies.encrypted[:continue]
    PlaceSession.start(cookies, user)
    user.update_columns(login_count: user.login_count + 1, last_login: Time.now.to_i)
    target = params[:continue] || stored
    return redirect_to(safe_continue(target) || '/', status: :found) if target

    head :accepted
  end

  def login
    return head(:not_found) unless authority

    cont = params[:continue]
    ext = File.extname(cont.to_s.split(/[?#]/).first.to_s).delete('.').downcase
    return head(:bad_request) if !ext.empty? && ext != 'html'

    PlaceSession.clear(cookies)
    if params[:provider] && params[:id]
      cookies.encrypted[:continue] = PlaceSession::COOKIE.merge(value: cont, expires: 20.minutes.from_now) if cont
      return redirect_to("/auth/#{CGI.escape(params[:provider])}?id=#{CGI.escape(params[:id])}", status: :see_other)
    end
    redirect_to authority.login_url.sub('{{url}}', cont), status: :see_other # no continue: a 500, as in PlaceOS
  end

  # Global logout: stamps logged_out_at, revokes the Authorization header's token, clears cookies.
  def destroy
    user = authority && PlaceSession.user(cookies, authority)
    user&.update_columns(logged_out_at: Time.now.to_f)
    bearer = request.authorization.to_s[/\ABearer\s+(.+)\z/i, 1]
    Doorkeeper::AccessToken.by_token(bearer.strip)&.revoke if bearer
    PlaceSession.clear(cookies, %w[verified social continue])
    target = '/'
    if params[:continue] && authority
      target = safe_continue(params[:continue]) || begin
        lo = authority.logout_url
        lo.include?('continue=') ? CGI.unescape(lo.split('continue=', 2).last.split('&').first) : lo
      end
    end
    redirect_to target, status: :found
  end
end
