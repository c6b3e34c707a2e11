// npm run schemas:compile: writes helpers/schemas.compiled.js, ajv's standalone validators of
// every schema in schemas/ (and every generation overlay), so a process validates without
// compiling the schemas first. The registry uses the file only while its digest matches the
// schemas; test/helpers/schemas-compiled.test.ts fails when it is out of date.
import { writeFileSync } from 'node:fs';
import { compiledSchemasSource } from '../helpers/schemas-compiled';
import { PRECOMPILED_FILE } from '../helpers/schemas';

writeFileSync(PRECOMPILED_FILE, compiledSchemasSource());
process.stdout.write(`wrote ${PRECOMPILED_FILE}\n`);
