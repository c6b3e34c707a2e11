import { contractSuite } from '../../helpers/jest-adapter';
import { area, cases } from './generation.cases';

contractSuite(area, cases);
