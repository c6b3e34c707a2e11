import { contractSuite } from '../../runner/jest-adapter';
import { area, cases } from './inspect.cases';

contractSuite(area, cases);
