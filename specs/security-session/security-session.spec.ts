import { contractSuite } from '../../helpers/jest-adapter';
import { area, cases } from './security-session.cases';

contractSuite(area, cases);
