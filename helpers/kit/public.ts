// The kit as the package exports it (`placeos-auth-contract/kit`): what a user's own table of
// checks (`*.cases.ts` / `.js` beside the shipped ones, docs/extending.md) is written with. The
// shipped tables import the same modules; the engine recognises a check's outcome by its error
// `code` (ERR_CONTRACT_VIOLATION, ERR_PRECONDITION_FAILED, ERR_NOT_APPLICABLE), so a separately
// loaded copy of this kit judges alike.
export * from './index';
export * from '../flows';
export type { CaseContext, ContractCase, Observation } from '../case';
export { ContractViolation, NotApplicable, PreconditionFailed, isContractViolation, isNotApplicable, isPreconditionFailed } from '../case';
export type { HttpClient, HttpResponse, RequestOptions } from '../http';
export type { SecretKind, SecretRegistry } from '../secrets';
export { createSecretRegistry } from '../secrets';
export type { SchemaName } from '../schemas';
export type { Generation, Level, SettingName, Severity, Tag } from '../model';
