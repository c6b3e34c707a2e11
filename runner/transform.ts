// The TypeScript transform of every jest run (npm test and npm run contract): swc strips types
// without type-checking, so jest starts in well under a second instead of several with ts-jest.
// Types are checked by `tsc --noEmit`, the first half of `npm test`.
export const swcTransform = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
} as const;
