import { contractSuite } from '../../helpers/jest-adapter';
import { area, cases } from './security-bearer.cases';

contractSuite(area, cases);
