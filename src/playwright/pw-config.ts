import { pdvPlaywrightConfig } from './config.ts';

// What `pdv verify` hands to `playwright test --config`: the spec folders are the user's.
export default pdvPlaywrightConfig();
