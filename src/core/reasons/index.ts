export * from './types';
export * from './templates';
export * from './render';
export * from './notice';
