/// <reference types="vite/client" />

/** package.json's `circuitscope.defaultModel`, defined by vite.config.ts. */
declare const __DEFAULT_MODEL__: string;
