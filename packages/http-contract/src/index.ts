export { testHttpContract, type HttpContractOptions } from './test-http-contract.js';
