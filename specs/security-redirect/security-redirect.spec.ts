import { contractSuite } from '../../helpers/jest-adapter';
import { area, cases } from './security-redirect.cases';

contractSuite(area, cases);
