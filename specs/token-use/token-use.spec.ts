import { contractSuite } from '../../helpers/jest-adapter';
import { area, cases } from './token-use.cases';

contractSuite(area, cases);
