class ApplicationController < ActionController::Base
  skip_forgery_protection

  private

  def authority
    @authority ||= Authority.for_host(request.host)
  end

  # Open-redirect filtering of `continue`: a path on this site, or a URL on the authority's domain.
  def safe_continue(value)
    v = value.to_s.gsub(' ', '%20')
    return v if v.start_with?('/') && !v.include?('//')

    uri = URI.parse(v)
    return nil unless %w[http https].include?(uri.scheme) && uri.host&.downcase == authority&.domain&.downcase

    [uri.path, uri.query && "?#{uri.query}", uri.fragment && "##{uri.fragment}"].join
  rescue URI::InvalidURIError
    nil
  end
end
