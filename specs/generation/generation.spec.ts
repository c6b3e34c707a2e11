import { contractSuite } from '../../runner/jest-adapter';
import { area, cases } from './generation.cases';

contractSuite(area, cases);
