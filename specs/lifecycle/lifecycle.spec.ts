import { contractSuite } from '../../helpers/jest-adapter';
import { area, cases } from './lifecycle.cases';

contractSuite(area, cases);
