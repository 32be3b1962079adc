/** The workflows a GenQ worker bundles. Deterministic code only: no Node built-ins, no I/O. */
export * from './smoke';
