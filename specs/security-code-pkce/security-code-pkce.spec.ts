import { contractSuite } from '../../runner/jest-adapter';
import { area, cases } from './security-code-pkce.cases';

contractSuite(area, cases);
