import { contractSuite } from '../../helpers/jest-adapter';
import { area, cases } from './signin-session.cases';

contractSuite(area, cases);
