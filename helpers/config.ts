// Settings of one target: declared once (settings/declaration.ts), validated by ajv, parsed once
// by the entry point and passed around as a value. Nothing here reads process.env.
export type { Account, ClientApp, SettingError, TargetSettings } from './settings/types';
export { SettingsError } from './settings/types';
export { KNOWN_VARIABLES, loadEnvFile, parseSettings, readRunSettings, type ParseOptions, type RunSettingValues } from './settings/parse';
export { EMBEDDED_VARIABLES, REFERENCE_VARIANTS } from './settings/declaration';
export { closest, stripUrl } from './settings/text';
export { describeSettings, settingsSecrets } from './settings/describe';
