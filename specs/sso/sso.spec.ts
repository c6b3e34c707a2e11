import { contractSuite } from '../../runner/jest-adapter';
import { area, cases } from './sso.cases';

contractSuite(area, cases);
