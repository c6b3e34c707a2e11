// The spec kit: everything a row of specs/<area>/*.cases.ts uses, from one import. Contract and
// security rows are written the same way; "contract" vs "security" is a tag on the row.
export * from './check';
export * from './challenge';
export * from './read';
export * from './steps';
export * from './tokens';
export * from './transports';
