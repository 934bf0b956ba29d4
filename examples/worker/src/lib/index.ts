export * from './format';
export * from './catalog';
