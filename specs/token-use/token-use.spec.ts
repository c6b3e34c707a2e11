import { contractSuite } from '../../runner/jest-adapter';
import { area, cases } from './token-use.cases';

contractSuite(area, cases);
