import { contractSuite } from '../../helpers/jest-adapter';
import { area, cases } from './password-grant.cases';

contractSuite(area, cases);
