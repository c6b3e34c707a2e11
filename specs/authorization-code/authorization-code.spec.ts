import { contractSuite } from '../../runner/jest-adapter';
import { area, cases } from './authorization-code.cases';

contractSuite(area, cases);
