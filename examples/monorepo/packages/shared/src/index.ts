export { locateAll } from './geo';
