import { contractSuite } from '../../helpers/jest-adapter';
import { area, cases } from './authorization-code.cases';

contractSuite(area, cases);
