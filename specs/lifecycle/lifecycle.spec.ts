import { contractSuite } from '../../runner/jest-adapter';
import { area, cases } from './lifecycle.cases';

contractSuite(area, cases);
