// npm run schemas:compile: writes helpers/schemas.compiled.js, ajv's standalone validators of
// every schema in schemas/ (and every generation overlay), and helpers/settings/validate.compiled.js,
// the settings validator, so a process validates without compiling schemas first. The registry uses the file only while its digest matches the
// schemas; test/helpers/schemas-compiled.test.ts fails when it is out of date.
import { writeFileSync } from 'node:fs';
import { compiledSchemasSource } from '../helpers/schemas-compiled';
import { PRECOMPILED_FILE } from '../helpers/schemas';
import { SETTINGS_VALIDATOR_FILE, settingsValidatorSource } from '../helpers/settings/read';

writeFileSync(PRECOMPILED_FILE, compiledSchemasSource());
process.stdout.write(`wrote ${PRECOMPILED_FILE}\n`);
writeFileSync(SETTINGS_VALIDATOR_FILE, settingsValidatorSource());
process.stdout.write(`wrote ${SETTINGS_VALIDATOR_FILE}\n`);
