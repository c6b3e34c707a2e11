import { contractSuite } from '../../runner/jest-adapter';
import { area, cases } from './security-bearer.cases';

contractSuite(area, cases);
