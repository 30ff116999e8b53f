export { freePort } from '@fluxi/common';
