import { contractSuite } from '../../runner/jest-adapter';
import { area, cases } from './password-grant.cases';

contractSuite(area, cases);
