import { contractSuite } from '../../runner/jest-adapter';
import { area, cases } from './security-token-endpoint.cases';

contractSuite(area, cases);
