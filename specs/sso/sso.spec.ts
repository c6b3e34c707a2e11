import { contractSuite } from '../../helpers/jest-adapter';
import { area, cases } from './sso.cases';

contractSuite(area, cases);
