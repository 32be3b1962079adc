/** Every activity a GenQ worker can host; each worker registers the ones its task queue serves. */
export * from './smoke/checkServices';
