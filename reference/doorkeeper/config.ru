# Rack entry point: `puma config.ru` (the launcher sets the environment; see README.md).
require_relative 'config/environment'
require_relative 'lib/place_seed'
PlaceSeed.load!(ENV.fetch('PLACEOS_DK_SEED_FILE'))
run Rails.application
