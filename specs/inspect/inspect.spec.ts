import { contractSuite } from '../../helpers/jest-adapter';
import { area, cases } from './inspect.cases';

contractSuite(area, cases);
