import { contractSuite } from '../../runner/jest-adapter';
import { area, cases } from './security-session.cases';

contractSuite(area, cases);
