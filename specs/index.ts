// Every area of the suite, for the engine paths that run without jest (--list, kill matrix,
// benchmark). Each spec file under specs/ registers the same table with jest.
import type { ContractCase } from '../helpers/case';

export interface Suite {
  area: string;
  cases: readonly ContractCase[];
}

export const SUITES: readonly Suite[] = [];
