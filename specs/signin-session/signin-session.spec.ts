import { contractSuite } from '../../runner/jest-adapter';
import { area, cases } from './signin-session.cases';

contractSuite(area, cases);
