export * from './format';
export * from './catalog';
export * from './collation';
