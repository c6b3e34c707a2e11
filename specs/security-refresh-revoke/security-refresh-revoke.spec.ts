import { contractSuite } from '../../runner/jest-adapter';
import { area, cases } from './security-refresh-revoke.cases';

contractSuite(area, cases);
