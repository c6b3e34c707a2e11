import { contractSuite } from '../../runner/jest-adapter';
import { area, cases } from './security-redirect.cases';

contractSuite(area, cases);
