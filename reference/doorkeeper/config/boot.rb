# Debian's packaged gems only: no Bundler, nothing downloaded.
ENV['RAILS_ENV'] ||= 'production'
