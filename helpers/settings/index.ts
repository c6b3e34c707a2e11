// The settings declaration and its building blocks (for generated docs and new settings).
export { DECLARED, DIRECT, PARTS, RUN_PARTS, EMBEDDED_VARIABLES, REFERENCE_VARIANTS } from './declaration';
export { GROUPS, type Group, type Setting } from './declare';
export { SETTINGS_SCHEMA } from './read';
