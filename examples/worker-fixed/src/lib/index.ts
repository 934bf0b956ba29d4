export { formatMoney, formatDate, encodeCursor, decodeCursor, type Cursor } from './format';
export { binFor, validateSkus } from './catalog';
export { mapLimit } from './concurrency';
